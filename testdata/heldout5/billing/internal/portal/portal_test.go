package portal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore/kvtest"
	"example.com/billing/internal/portal"
)

type captureMailer struct{ token string }

func (m *captureMailer) SendMagicLink(_ context.Context, _, token string) error {
	m.token = token
	return nil
}

func TestMagicLinkIsSingleUse(t *testing.T) {
	ctx := context.Background()
	mem := kvtest.New()
	mail := &captureMailer{}
	svc := portal.New(mem, clock.NewManual(time.Now()), portal.WithMailer(mail))

	if err := svc.IssueMagicLink(ctx, "a@example.com", "cus_1"); err != nil {
		t.Fatal(err)
	}
	sess, err := svc.ConsumeMagicLink(ctx, mail.token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConsumeMagicLink(ctx, mail.token); !errors.Is(err, portal.ErrBadLink) {
		t.Fatalf("reuse: %v", err)
	}
	if _, err := svc.Authenticate(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, sess.ID); !errors.Is(err, portal.ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestRevokeAll(t *testing.T) {
	ctx := context.Background()
	mem := kvtest.New()
	mail := &captureMailer{}
	svc := portal.New(mem, clock.System{}, portal.WithMailer(mail))
	for range 3 {
		_ = svc.IssueMagicLink(ctx, "a@example.com", "cus_9")
		if _, err := svc.ConsumeMagicLink(ctx, mail.token); err != nil {
			t.Fatal(err)
		}
	}
	n, err := svc.RevokeAll(ctx, "cus_9")
	if err != nil || n != 3 {
		t.Fatalf("revoked %d, %v", n, err)
	}
}
