package ratelimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/store/memstore"
)

func TestAllowWithinWindow(t *testing.T) {
	l := New(memstore.New(), config.RateLimitConfig{Window: time.Minute, PerWindow: 3})
	fixed := time.Date(2025, 3, 1, 12, 0, 10, 0, time.UTC)
	l.now = func() time.Time { return fixed }
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if ok, err := l.Allow(ctx, "203.0.113.9"); !ok || err != nil {
			t.Fatalf("request %d rejected: %v", i, err)
		}
	}
	if ok, _ := l.Allow(ctx, "203.0.113.9"); ok {
		t.Fatal("4th request allowed")
	}
	if ok, _ := l.Allow(ctx, "198.51.100.1"); !ok {
		t.Fatal("other client throttled")
	}
	l.now = func() time.Time { return fixed.Add(time.Minute) }
	if ok, _ := l.Allow(ctx, "203.0.113.9"); !ok {
		t.Fatal("new window still throttled")
	}
}

func TestMiddleware(t *testing.T) {
	l := New(memstore.New(), config.RateLimitConfig{Window: time.Minute, PerWindow: 1})
	h := l.Middleware(func(*http.Request) string { return "c" })(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	for i, want := range []int{200, 429} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		if rec.Code != want {
			t.Fatalf("request %d: status %d, want %d", i, rec.Code, want)
		}
	}
}
