package audit

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/kvops"
)

func TestMiddlewareAppendsLines(t *testing.T) {
	ops, m := kvops.Map()
	rec := New(ops, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := httpx.Chain(func(w http.ResponseWriter, r *http.Request) error { return nil }, rec.Middleware())
	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
		r := httptest.NewRequest(method, "/promos", nil)
		r = r.WithContext(httpx.WithAccount(r.Context(), "org1"))
		if err := h(httptest.NewRecorder(), r); err != nil {
			t.Fatal(err)
		}
	}
	trail := m[kvkey.AuditLog("org1").String()]
	if n := strings.Count(trail, "\n"); n != 2 {
		t.Fatalf("trail has %d lines:\n%s", n, trail)
	}
}

func TestTrimKeepsWholeLines(t *testing.T) {
	got := trim("aaaa\nbbbb\ncccc\n", 8)
	if got != "cccc\n" {
		t.Fatalf("trim = %q", got)
	}
}
