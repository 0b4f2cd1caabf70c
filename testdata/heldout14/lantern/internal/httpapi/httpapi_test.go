package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/export"
	"example.com/lantern/internal/httpapi"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/store/memstore"
	"example.com/lantern/internal/tenant"
)

func newAPI(t *testing.T) (*http.ServeMux, *memstore.Store) {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	m := memstore.New()
	n := 0
	h := &httpapi.Handlers{
		Profiles: m, Signups: m, Sessions: m, Data: m, Idempotent: m,
		Export: export.Options{PageSize: 100, MaxPages: 2},
		Config: cfg,
		NewID:  func() string { n++; return strings.Repeat("i", n) },
		Clock:  time.Now,
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	return mux, m
}

func TestSignupThenProfile(t *testing.T) {
	mux, _ := newAPI(t)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("POST", "/api/signup", strings.NewReader(`{"name":"Ada"}`)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	var p httpapi.Profile
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/profiles/"+p.ID, nil))
	if !strings.Contains(rec.Body.String(), "Ada") {
		t.Fatalf("profile: %s", rec.Body)
	}
}

func TestTicketIsIdempotent(t *testing.T) {
	mux, m := newAPI(t)
	sess, _ := json.Marshal(httpapi.Session{UserID: "u1", TenantID: "acme", Plan: "pro"})
	_ = m.Put(context.Background(), "sess:abc", sess, store.PutOptions{})
	buy := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/events/e1/tickets", strings.NewReader(`{"tier":"ga","price_cents":1000}`))
		req.Header.Set("X-Lantern-Tenant", "acme")
		req.Header.Set("Idempotency-Key", "k1")
		req.AddCookie(&http.Cookie{Name: "lantern_sid", Value: "abc"})
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	first, second := buy(), buy()
	if first.Code != http.StatusCreated || second.Body.String() != first.Body.String() {
		t.Fatalf("first %d %s / second %d %s", first.Code, first.Body, second.Code, second.Body)
	}
	if second.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatal("second purchase was not replayed")
	}
	p, _ := tenant.Scope(m, "acme").List(context.Background(), "ticket:", "", 10)
	if len(p.Keys) != 1 {
		t.Fatalf("tickets: %v", p.Keys)
	}
}
