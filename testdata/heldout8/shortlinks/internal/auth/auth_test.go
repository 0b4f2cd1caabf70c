package auth_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/auth"
	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/store/memstore"
)

type outbox struct{ links []string }

func (o *outbox) SendLogin(_ context.Context, _, link string) error {
	o.links = append(o.links, link)
	return nil
}

func setup(t *testing.T) (*auth.Service, *outbox, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	ctx := context.Background()
	_ = st.Put(ctx, "acct:acct_1", `{"id":"acct_1","email":"ada@example.com","plan":"pro"}`)
	_ = st.Put(ctx, "email:ada@example.com", "acct_1")
	box := &outbox{}
	svc := auth.NewService(config.Default().Auth, "https://sho.rt", st, accounts.NewService(st), box)
	return svc, box, st
}

func TestMagicLinkLogin(t *testing.T) {
	ctx := context.Background()
	svc, box, _ := setup(t)
	if err := svc.RequestLink(ctx, "Ada@example.com", "/dashboard/links"); err != nil {
		t.Fatal(err)
	}
	if len(box.links) != 1 {
		t.Fatalf("sent %d emails", len(box.links))
	}
	u, _ := url.Parse(box.links[0])
	tok := u.Query().Get("t")
	sess, ret, err := svc.Redeem(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Account != "acct_1" || ret != "/dashboard/links" {
		t.Fatalf("session = %+v, return %q", sess, ret)
	}
	if _, _, err := svc.Redeem(ctx, tok); !errors.Is(err, auth.ErrInvalidLink) {
		t.Fatalf("second redeem: %v", err)
	}
	n, err := svc.LogoutEverywhere(ctx, "acct_1")
	if err != nil || n != 1 {
		t.Fatalf("LogoutEverywhere = %d, %v", n, err)
	}
	if _, err := svc.Session(ctx, sess.ID); !errors.Is(err, auth.ErrNoSession) {
		t.Fatalf("session survived logout: %v", err)
	}
}

func TestRequestLinkThrottles(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := setup(t)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		err = svc.RequestLink(ctx, "ada@example.com", "")
	}
	if !errors.Is(err, auth.ErrTooMany) {
		t.Fatalf("expected throttling, got %v", err)
	}
}

func TestUnknownEmailIsSilent(t *testing.T) {
	svc, box, _ := setup(t)
	if err := svc.RequestLink(context.Background(), "eve@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if len(box.links) != 0 || strings.Contains(strings.Join(box.links, ""), "eve") {
		t.Fatal("mail sent for unknown account")
	}
}
