package editor

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/store/memstore"
)

type staticCreds map[string]string

func (c staticCreds) Verify(_ context.Context, email, password string) (string, string, error) {
	if c[email] != password {
		return "", "", ErrBadCredentials
	}
	return "ed-1", "acme", nil
}

func newTestManager() (*Manager, *memstore.Store) {
	st := memstore.New()
	m := NewManager(st, staticCreds{"ed@acme.test": "hunter2"}, config.Default().Sessions)
	return m, st
}

func TestLoginLookupLogout(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestManager()
	sess, err := m.Login(ctx, "ed@acme.test", "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Lookup(ctx, sess.Cookie())
	if err != nil || got.ID != sess.ID {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	if err := m.Logout(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, sess.Cookie()); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestLockout(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestManager()
	for i := 0; i < maxFailures; i++ {
		if _, err := m.Login(ctx, "ed@acme.test", "wrong"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := m.Login(ctx, "ed@acme.test", "hunter2"); !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
}

func TestRevokeAll(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestManager()
	a, _ := m.Login(ctx, "ed@acme.test", "hunter2")
	b, _ := m.Login(ctx, "ed@acme.test", "hunter2")
	if err := m.RevokeAll(ctx, "ed-1"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Session{a, b} {
		if _, err := m.Lookup(ctx, s.Cookie()); !errors.Is(err, ErrNoSession) {
			t.Fatalf("session %s survived: %v", s.ID, err)
		}
	}
}

func TestMiddlewareRefreshes(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestManager()
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return start }
	sess, _ := m.Login(ctx, "ed@acme.test", "hunter2")
	m.now = func() time.Time { return start.Add(time.Hour) }

	h := RequireEditor(m, "pr_session")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := FromContext(r.Context())
		if !s.Expires.Equal(start.Add(time.Hour + m.ttl)) {
			t.Errorf("expires = %v", s.Expires)
		}
	}))
	req := httptest.NewRequest(http.MethodGet, "/editor", nil)
	req.AddCookie(&http.Cookie{Name: "pr_session", Value: sess.Cookie()})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	tok := NewTokens(memstore.New())
	if err := tok.Revoke(ctx, "jti-1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := tok.Revoked(ctx, "jti-1"); !ok {
		t.Fatal("jti-1 should be revoked")
	}
	if ok, _ := tok.Revoked(ctx, "jti-2"); ok {
		t.Fatal("jti-2 should not be revoked")
	}
}
