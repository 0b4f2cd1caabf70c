package signin

import (
	"context"
	"errors"
	"net/url"
	"path"
	"testing"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore/memkv"
)

type captureMailer struct{ links []*url.URL }

func (m *captureMailer) SendSignIn(_ context.Context, _ string, link *url.URL) error {
	m.links = append(m.links, link)
	return nil
}

func TestLinkCanBeRedeemedOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 2, 2, 8, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	mailer := &captureMailer{}
	base, _ := url.Parse("https://engage.example.gov")
	links := Links{Store: memkv.New(clock), Mailer: mailer, BaseURL: base, Clock: clock}

	if err := links.Issue(ctx, "Resident@Example.org", "/consultations/library-hours"); err != nil {
		t.Fatal(err)
	}
	if len(mailer.links) != 1 {
		t.Fatalf("sent %d links", len(mailer.links))
	}
	token := path.Base(mailer.links[0].Path)
	link, err := links.Redeem(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if link.Email != "resident@example.org" {
		t.Fatalf("email %q", link.Email)
	}
	if _, err := links.Redeem(ctx, token); !errors.Is(err, domain.ErrExpired) {
		t.Fatalf("second redeem: got %v, want ErrExpired", err)
	}
	if err := links.Issue(ctx, "resident@example.org", "/"); !errors.Is(err, domain.ErrThrottled) {
		t.Fatalf("immediate resend: got %v, want ErrThrottled", err)
	}
}
