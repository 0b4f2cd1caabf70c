package ratelimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/harbor/internal/storage/memstore"
)

func TestLimiter(t *testing.T) {
	allow := NewLimiter(memstore.New(), time.Hour, 3)
	ctx := context.Background()
	for i := range 3 {
		if ok, err := allow(ctx, "client-a"); err != nil || !ok {
			t.Fatalf("request %d: ok=%v err=%v", i+1, ok, err)
		}
	}
	if ok, _ := allow(ctx, "client-a"); ok {
		t.Fatal("fourth request allowed")
	}
	if ok, _ := allow(ctx, "client-b"); !ok {
		t.Fatal("other client throttled")
	}
}

func TestMiddleware(t *testing.T) {
	allow := NewLimiter(memstore.New(), time.Hour, 1)
	h := Middleware(allow, "X-Client", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	codes := make([]int, 0, 2)
	for range 2 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Client", "c1")
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v", codes)
	}
}
