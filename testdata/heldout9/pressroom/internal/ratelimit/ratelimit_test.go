package ratelimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/store/memstore"
)

func TestAllow(t *testing.T) {
	l := New(memstore.New(), "rl:signup:", config.RateLimit{Max: 2})
	ctx := context.Background()
	for i, want := range []bool{true, true, false} {
		got, err := l.Allow(ctx, "203.0.113.9")
		if err != nil || got != want {
			t.Fatalf("call %d: %v, %v", i, got, err)
		}
	}
}

func TestMiddleware(t *testing.T) {
	l := New(memstore.New(), "rl:signup:", config.RateLimit{Max: 1})
	h := l.Middleware(ClientIP)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	codes := []int{}
	for i := 0; i < 2; i++ {
		req := httptest.NewRequest(http.MethodPost, "/subscribe", nil)
		req.Header.Set("CF-Connecting-IP", "198.51.100.1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[0] != 200 || codes[1] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v", codes)
	}
}
