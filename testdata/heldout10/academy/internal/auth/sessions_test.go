package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/academy/internal/config"
	"example.com/academy/internal/kvstore/memkv"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	s := NewSessions(memkv.New(), config.Auth{SessionTTL: time.Hour, RefreshTTL: 24 * time.Hour})
	sess, refresh, err := s.Create(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	var revoked []string
	s.revoke = func(_ context.Context, key string) error { revoked = append(revoked, key); return nil }
	if _, _, err := s.Rotate(ctx, refresh); err != nil {
		t.Fatal(err)
	}
	if len(revoked) != 1 {
		t.Fatalf("revoked %v", revoked)
	}
	if err := s.Logout(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Lookup(ctx, sess.ID); ok {
		t.Fatal("session still present after logout")
	}
	if _, _, err := s.Rotate(ctx, "bogus"); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("want ErrInvalidToken, got %v", err)
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	s := NewSessions(memkv.New(), config.Auth{SessionTTL: time.Hour, RefreshTTL: time.Hour})
	sess, _, _ := s.Create(ctx, "ada")
	h := s.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, _ := LearnerFrom(r.Context()); id != "ada" {
			t.Errorf("learner = %q", id)
		}
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: sess.ID})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	time.Sleep(time.Millisecond)
	if err := s.RevokeAll(ctx, "ada"); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("after RevokeAll: status %d", rec.Code)
	}
}
