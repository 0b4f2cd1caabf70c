package opsession

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/fleet/internal/kvstore/memkv"
)

func TestLoginThenMiddleware(t *testing.T) {
	store := memkv.New()
	m := NewManager(store, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	s, err := m.Login(context.Background(), rec, "alice", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, _ := Operator(r.Context())
		got = op.Operator
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: s.ID})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "alice" {
		t.Fatalf("operator = %q", got)
	}
}

func TestRevoke(t *testing.T) {
	m := NewManager(memkv.New(), time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if ok, _ := m.Revoked(ctx, "j1"); ok {
		t.Fatal("revoked before revoke")
	}
	_ = m.RevokeToken(ctx, "j1")
	if ok, _ := m.Revoked(ctx, "j1"); !ok {
		t.Fatal("not revoked")
	}
}
