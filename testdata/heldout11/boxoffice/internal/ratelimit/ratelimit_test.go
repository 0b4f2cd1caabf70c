package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvops"
)

func mapOps() kvops.Ops {
	m := map[string]string{}
	return kvops.Ops{
		Get:    func(_ context.Context, k string) (string, error) { return m[k], nil },
		Put:    func(_ context.Context, k, v string, _ int) error { m[k] = v; return nil },
		Delete: func(_ context.Context, k string) error { delete(m, k); return nil },
	}
}

func TestChargeStopsAtLimit(t *testing.T) {
	ops := mapOps()
	now := time.Date(2024, 5, 1, 10, 15, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if err := charge(context.Background(), ops, "org", 3, 3600, now); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	err := charge(context.Background(), ops, "org", 3, 3600, now)
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("want LimitError, got %v", err)
	}
	if le.RetryAfter != 45*time.Minute {
		t.Fatalf("retry after = %v", le.RetryAfter)
	}
}

func TestRespondSetsRetryAfter(t *testing.T) {
	h := Respond(func(w http.ResponseWriter, r *http.Request) error {
		return &LimitError{Scope: "ip", Limit: 1, RetryAfter: 30 * time.Second}
	})
	rec := httptest.NewRecorder()
	err := h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	var he *httpx.Error
	if !errors.As(err, &he) || he.Status != http.StatusTooManyRequests {
		t.Fatalf("err = %v", err)
	}
	if rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
}
