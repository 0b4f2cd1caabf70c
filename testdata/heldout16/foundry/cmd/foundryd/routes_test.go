package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRoutesRegister(t *testing.T) {
	a := &app{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := a.routes() // panics on conflicting patterns
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/internal/flags", nil))
	if rec.Code != http.StatusForbidden {
		t.Fatalf("admin without internal header: %d", rec.Code)
	}
}
