package httpx

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/ember/internal/auth"
)

type fakeSessions struct {
	known   map[string]auth.Session
	touched int
}

func (f *fakeSessions) Lookup(_ context.Context, id string) (auth.Session, error) {
	s, ok := f.known[id]
	if !ok {
		return auth.Session{}, auth.ErrNoSession
	}
	return s, nil
}

func (f *fakeSessions) Touch(context.Context, auth.Session) error {
	f.touched++
	return nil
}

func TestRequireSession(t *testing.T) {
	sessions := &fakeSessions{known: map[string]auth.Session{"abc": {ID: "abc", Rider: "u1"}}}
	h := RequireSession(sessions, slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s, ok := SessionFrom(r.Context()); !ok || s.Rider != "u1" {
			t.Errorf("session not propagated")
		}
	}))
	for _, tc := range []struct {
		header string
		want   int
	}{{"", http.StatusUnauthorized}, {"Bearer nope", http.StatusUnauthorized}, {"Bearer abc", http.StatusOK}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%q: status %d, want %d", tc.header, rec.Code, tc.want)
		}
	}
	if sessions.touched != 1 {
		t.Errorf("touched = %d, want 1", sessions.touched)
	}
}
