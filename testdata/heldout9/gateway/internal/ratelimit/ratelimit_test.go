package ratelimit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/gateway/internal/store/memstore"
)

func TestPolicyOverride(t *testing.T) {
	ctx := context.Background()
	p := NewPublisher(memstore.New(), time.Hour)
	if err := p.Publish(ctx, Policy{Tenant: "acme", RequestsPerMinute: 600, MonthlyQuota: 1_000_000}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRouteOverride(ctx, "acme", "search", 1200); err != nil {
		t.Fatal(err)
	}
	pol, err := p.policies.Get(ctx, "acme")
	if err != nil || pol.Overrides["search"] != 1200 {
		t.Fatalf("policy = %+v, %v", pol, err)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(memstore.New(), time.Minute, 2)
	h := l.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	codes := []int{}
	for range 3 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("CF-Connecting-IP", "198.51.100.7")
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[2] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v", codes)
	}
}
