package sessions

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/flags"
	"example.com/grebe/internal/store"
	"example.com/grebe/internal/store/memstore"
)

type fakeDirectory map[string]domain.Member

func (d fakeDirectory) ByEmail(_ context.Context, email string) (domain.Member, error) {
	m, ok := d[email]
	if !ok {
		return domain.Member{}, domain.ErrUnknown
	}
	return m, nil
}

type fakeMailer struct{ sent []string }

func (m *fakeMailer) SendLink(_ context.Context, _, url string) error {
	m.sent = append(m.sent, url)
	return nil
}

func newService(t *testing.T) (*Service, store.Store) {
	t.Helper()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	fl := flags.New(func(context.Context) ([]byte, error) { return []byte(`{}`), nil }, time.Hour)
	dir := fakeDirectory{"ada@example.com": {ID: "m1", Email: "ada@example.com"}}
	return New(st, dir, &fakeMailer{}, fl, cfg, "https://example.test/login"), st
}

func TestStartCheckEnd(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	sess, err := s.Start(ctx, "m1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Check(ctx, sess.ID); err != nil || got.Member != "m1" {
		t.Fatalf("check: %+v %v", got, err)
	}
	if err := s.End(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, sess.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want not found after logout, got %v", err)
	}
}

func TestThrottle(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for range s.cfg.LoginAttemptLimit {
		if err := s.Failed(ctx, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Throttle(ctx, "192.0.2.1"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("want throttled, got %v", err)
	}
}
