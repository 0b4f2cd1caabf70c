package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/storage/memstore"
)

type fakeMailer struct{ links []string }

func (f *fakeMailer) SendLoginLink(_ context.Context, _ string, link string) error {
	f.links = append(f.links, link)
	return nil
}

type fakeDirectory map[string]string

func (f fakeDirectory) LearnerByEmail(_ context.Context, email string) (string, error) {
	if id, ok := f[email]; ok {
		return id, nil
	}
	return "", errors.New("unknown")
}

func TestLoginLinkFlow(t *testing.T) {
	ctx := context.Background()
	mail := &fakeMailer{}
	svc := New(memstore.New(nil), config.Sessions{Lifetime: time.Hour, MagicLink: 15 * time.Minute},
		mail, fakeDirectory{"ana@example.com": "L1"})
	if err := svc.RequestLoginLink(ctx, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	tok := mail.links[0][strings.Index(mail.links[0], "token=")+len("token="):]
	sess, err := svc.RedeemLoginLink(ctx, tok, "test")
	if err != nil || sess.LearnerID != "L1" {
		t.Fatalf("redeem: %+v, %v", sess, err)
	}
	if _, err := svc.RedeemLoginLink(ctx, tok, "test"); !errors.Is(err, ErrInvalidLink) {
		t.Fatalf("second redeem: %v", err)
	}
	if _, err := svc.Lookup(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
}

func TestRecordLifetimeHasFloor(t *testing.T) {
	r := sessionRecord{Expires: time.Now().Add(-time.Hour).Unix()}
	if r.lifetime() < time.Minute {
		t.Fatalf("lifetime %v below a minute", r.lifetime())
	}
}
