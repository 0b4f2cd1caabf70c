package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/store/memstore"
)

type outbox struct{ links []string }

func (o *outbox) SendReset(_ context.Context, _, link string) error {
	o.links = append(o.links, link)
	return nil
}

func TestKeysLifecycle(t *testing.T) {
	ctx := context.Background()
	k := NewKeys(memstore.New(), events.New(nil))
	resp, err := k.Create(ctx, CreateKeyRequest{Org: "acme", Name: "CI"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Create(ctx, CreateKeyRequest{Org: "acme", Name: "ci"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("duplicate name: %v", err)
	}
	if got, err := k.Authenticate(ctx, resp.Secret); err != nil || got.ID != resp.Key.ID {
		t.Fatalf("authenticate: %v %v", got, err)
	}
	if _, err := k.Revoke(ctx, RevokeRequest{ID: resp.Key.ID, Org: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Authenticate(ctx, resp.Secret); !errors.Is(err, ErrBadKey) {
		t.Fatalf("after revoke: %v", err)
	}
}

func TestResetFlow(t *testing.T) {
	ctx := context.Background()
	box := &outbox{}
	r := NewResets(memstore.New(), events.New(nil), box, "https://app.kestrel.dev")
	for range resetsPerEmail {
		if err := r.Request(ctx, "u1", "a@b.c"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Request(ctx, "u1", "a@b.c"); !errors.Is(err, ErrTooManyResets) {
		t.Fatalf("got %v", err)
	}
	_, token, _ := strings.Cut(box.links[0], "token=")
	if uid, err := r.Redeem(ctx, token); err != nil || uid != "u1" {
		t.Fatalf("redeem: %q %v", uid, err)
	}
	if _, err := r.Redeem(ctx, token); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("second redeem: %v", err)
	}
}
