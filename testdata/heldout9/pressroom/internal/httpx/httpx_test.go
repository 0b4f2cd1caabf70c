package httpx

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/pressroom/internal/keys"
)

func TestTenantFromHost(t *testing.T) {
	var got keys.Tenant
	h := Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = Tenant(r.Context())
	}), Recover(slog.New(slog.NewTextHandler(io.Discard, nil))), TenantFromHost("default"))

	req := httptest.NewRequest(http.MethodGet, "https://news.acme.example/archive", nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "acme" {
		t.Fatalf("tenant = %q", got)
	}
	req = httptest.NewRequest(http.MethodGet, "https://localhost/archive", nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "default" {
		t.Fatalf("tenant = %q", got)
	}
}

func TestRecover(t *testing.T) {
	h := Recover(slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("code = %d", rec.Code)
	}
}
