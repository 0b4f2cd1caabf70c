package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/quarry/internal/cache"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/reports"
	"example.com/quarry/internal/storage/memstore"
)

type fakeRunner struct{ calls int }

func (f *fakeRunner) Run(context.Context, ids.AccountID, ids.QueryID, int) ([]reports.Row, error) {
	f.calls++
	return []reports.Row{{"n": 1}}, nil
}

func (f *fakeRunner) RunSQL(context.Context, string) ([]reports.Row, error) {
	return nil, reports.ErrNoRows
}

func newTestHandlers() (*Handlers, *fakeRunner) {
	cfg := config.Default()
	st := memstore.New()
	run := &fakeRunner{}
	svc := NewServices(Deps{Config: cfg, Store: st, Cache: cache.New(st, cfg.Cache, nil), Runner: run})
	return NewHandlers(svc), run
}

func do(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

func TestClaimSlug(t *testing.T) {
	h, _ := newTestHandlers()
	if rec := do(h.ClaimSlug, "POST", "/v1/accounts/acme/slug", `{"slug":"acme"}`); rec.Code != 200 {
		t.Fatalf("first claim: %d %s", rec.Code, rec.Body)
	}
	if rec := do(h.ClaimSlug, "POST", "/v1/accounts/other/slug", `{"slug":"acme"}`); rec.Code != 409 {
		t.Fatalf("second claim: %d %s", rec.Code, rec.Body)
	}
}

func TestReportIsCached(t *testing.T) {
	h, run := newTestHandlers()
	for range 3 {
		if rec := do(h.GetReport, "GET", "/v1/accounts/acme/reports/q1", ""); rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	if run.calls != 1 {
		t.Fatalf("runner called %d times", run.calls)
	}
}

func TestCartNeedsUser(t *testing.T) {
	h, _ := newTestHandlers()
	if rec := do(h.AddToCart, "POST", "/v1/cart/items", `{"sku":"x","qty":1}`); rec.Code != 401 {
		t.Fatalf("%d", rec.Code)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v1/cart/items", strings.NewReader(`{"sku":"x","qty":1,"priceCents":100}`))
	h.AddToCart.ServeHTTP(rec, req.WithContext(WithUser(req.Context(), "u1")))
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
