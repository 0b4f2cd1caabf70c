package subscriptions

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
	"example.com/quill/internal/storage/memstore"
)

type outbox struct{ bodies []string }

func (o *outbox) Send(_ context.Context, _, _, body string) error {
	o.bodies = append(o.bodies, body)
	return nil
}

func newService(t *testing.T) (*Service, *memstore.Store, *outbox) {
	t.Helper()
	st := memstore.New()
	router := storage.NewRouter(nil, "default", func(string) storage.ReadWriter { return st })
	mail := &outbox{}
	return New(router, mail, "https://quill.example"), st, mail
}

func TestDoubleOptIn(t *testing.T) {
	ctx := context.Background()
	svc, st, mail := newService(t)
	if err := svc.Subscribe(ctx, "field-notes", "Reader <reader@example.com>", ""); err != nil {
		t.Fatal(err)
	}
	if len(mail.bodies) != 1 {
		t.Fatalf("expected a confirmation mail, got %d", len(mail.bodies))
	}
	link := mail.bodies[0][strings.Index(mail.bodies[0], "https://"):]
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := svc.Confirm(ctx, "field-notes", u.Query().Get("t"))
	if err != nil || sub.Status != "active" {
		t.Fatalf("confirm: %+v %v", sub, err)
	}
	if _, err := svc.Confirm(ctx, "field-notes", u.Query().Get("t")); err != ErrInvalidToken {
		t.Fatalf("second confirm: %v", err)
	}
	k := keys.Subscriber{Tenant: "field-notes", Email: "reader@example.com"}
	if _, err := st.Get(ctx, k.String()); err != nil {
		t.Fatalf("subscriber record: %v", err)
	}
}

func TestReferralPoints(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newService(t)
	ref := keys.Subscriber{Tenant: "field-notes", Email: "friend@example.com"}
	for i := 0; i < 2; i++ {
		if err := svc.CreditReferral(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := st.Get(ctx, ref.Points())
	if err != nil || string(raw) != "20" {
		t.Fatalf("points %q, %v", raw, err)
	}
}
