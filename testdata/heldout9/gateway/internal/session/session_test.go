package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/gateway/internal/reqctx"
	"example.com/gateway/internal/store/memstore"
)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	m := NewManager(st, 30*time.Minute)
	s, err := m.Create(ctx, "ada", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = reqctx.Operator(r.Context())
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "gw_console", Value: s.ID})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || seen != "ada" {
		t.Fatalf("code %d operator %q", rec.Code, seen)
	}
	n, err := m.RevokeOperator(ctx, "ada")
	if err != nil || n != 1 {
		t.Fatalf("revoke = %d, %v", n, err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("after revoke: %d", rec.Code)
	}
}

func TestSSOStateIsSingleUse(t *testing.T) {
	ctx := context.Background()
	m := NewManager(memstore.New(), time.Hour)
	state, err := m.BeginSSO(ctx, "/routes")
	if err != nil {
		t.Fatal(err)
	}
	if to, err := m.CompleteSSO(ctx, state); err != nil || to != "/routes" {
		t.Fatalf("complete = %q, %v", to, err)
	}
	if _, err := m.CompleteSSO(ctx, state); !errors.Is(err, ErrBadState) {
		t.Fatalf("replay: %v", err)
	}
}

func TestGuard(t *testing.T) {
	st := memstore.New()
	g := NewGuard(st)
	for range 3 {
		if err := g.Failed(context.Background(), "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := st.Get(context.Background(), "auth:attempts:192.0.2.1")
	if string(v) != "3" {
		t.Fatalf("attempts = %q", v)
	}
}
