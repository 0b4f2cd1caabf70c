package ratelimit

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore/memkv"
)

func TestLimiterRejectsOverMax(t *testing.T) {
	l := New(memkv.New(), config.RateLimit{Window: time.Minute, Max: 3}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	fixed := time.Unix(1_700_000_000, 0)
	l.clock = func() time.Time { return fixed }
	h := l.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))

	codes := make([]int, 0, 4)
	for range 4 {
		req := httptest.NewRequest(http.MethodGet, "/api/x", nil)
		req.Header.Set("CF-Connecting-IP", "203.0.113.7")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[2] != http.StatusOK || codes[3] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v", codes)
	}
}
