package quota

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/edgeconf/internal/storage"
)

type stubLimiter struct {
	allow bool
	err   error
	calls int
}

func (s *stubLimiter) Allow(context.Context, string) (Decision, error) {
	s.calls++
	return Decision{Allowed: s.allow, Limit: 10, Remaining: 3, ResetAt: time.Now().Add(time.Minute)}, s.err
}

func TestMiddlewareRejects(t *testing.T) {
	lim := &stubLimiter{allow: false}
	h := NewMiddleware(lim, KeyByHeader("X-Tenant-ID")).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Fatal("next handler must not run")
	}))
	req := httptest.NewRequest(http.MethodGet, "/v1/flags", nil)
	req.Header.Set("X-Tenant-ID", "t1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d", rec.Code)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("missing Retry-After")
	}
}

func TestMiddlewareFailOpen(t *testing.T) {
	lim := &stubLimiter{err: errors.New("kv down")}
	ran := false
	h := NewMiddleware(lim, FailOpen(true), WithMiddlewareLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))).
		Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "192.0.2.1:4242"
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !ran {
		t.Fatal("fail-open did not pass the request through")
	}
}

func TestKVLimiterWindow(t *testing.T) {
	ctx := context.Background()
	mem := storage.NewMemory()
	now := time.Date(2025, 1, 1, 10, 0, 5, 0, time.UTC)
	mem.WithClock(func() time.Time { return now })
	l := NewKVLimiter(mem, LimiterConfig{Limit: 2, Window: time.Minute})
	l.now = func() time.Time { return now }

	for i := range 2 {
		d, err := l.Allow(ctx, "t1")
		if err != nil || !d.Allowed {
			t.Fatalf("request %d: %+v %v", i, d, err)
		}
	}
	if d, _ := l.Allow(ctx, "t1"); d.Allowed {
		t.Fatal("third request allowed")
	}
	now = now.Add(time.Minute)
	if d, _ := l.Allow(ctx, "t1"); !d.Allowed {
		t.Fatal("next window should allow")
	}
}

func TestUsageMeterOverride(t *testing.T) {
	ctx := context.Background()
	mem := storage.NewMemory()
	m := NewUsageMeter(mem, func(context.Context, string) (string, error) { return "free", nil },
		MeterConfig{Limits: PlanLimits{"free": 1}, LimitCacheSeconds: 60}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// A stale cached plan limit from a previous run; the fake ignores TTL units.
	if err := mem.Set(ctx, "plan-limit:t1", []byte("1"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Consume(ctx, "t1", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Consume(ctx, "t1", 1); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("got %v, want ErrQuotaExceeded", err)
	}
	if err := m.SetOverride(ctx, "t1", 3); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Consume(ctx, "t1", 1); err != nil {
		t.Fatalf("override not honoured: %v", err)
	}
}
