package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/storage/memkv"
)

func TestRateLimit(t *testing.T) {
	kv := memkv.New()
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), RateLimit(kv, 2))
	codes := []int{}
	for i := 0; i < 3; i++ {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/v1/bundle", nil)
		req.Header.Set("CF-Connecting-IP", "203.0.113.7")
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v", codes)
	}
}

func memOps(kv storage.Store) Ops {
	return Ops{
		Get: kv.Get,
		Put: func(ctx context.Context, k string, v []byte, ttl time.Duration) error {
			return kv.Put(ctx, k, v, storage.WithTTL(ttl))
		},
	}
}

func TestBundleCacheReadsThrough(t *testing.T) {
	kv := memkv.New()
	loads := 0
	c := newBundleCache(memOps(kv), WithBundleLoader(func(context.Context, string) ([]flags.Flag, int, error) {
		loads++
		return []flags.Flag{{Key: "a", Default: "off"}}, 3, nil
	}))
	for i := 0; i < 3; i++ {
		b, err := c.get(context.Background(), "production")
		if err != nil || b.Version != 3 || len(b.Flags) != 1 {
			t.Fatalf("bundle %+v, %v", b, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loader called %d times, want 1", loads)
	}
}
