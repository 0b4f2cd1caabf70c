package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/fleet/internal/enroll"
	"example.com/fleet/internal/heartbeat"
	"example.com/fleet/internal/httpapi"
	"example.com/fleet/internal/store/memstore"
	"example.com/fleet/internal/tokens"
)

func TestConsoleSessionLifecycle(t *testing.T) {
	s := memstore.New()
	iss := tokens.NewIssuer(s, time.Hour)
	srv := httpapi.New(httpapi.Deps{
		Load:       s.Get,
		Save:       s.Put,
		Remove:     s.Delete,
		Enroll:     enroll.NewService(s, iss),
		Heartbeats: heartbeat.NewRecorder(s, heartbeat.Config{StatusTTL: 5 * time.Minute, Interval: time.Minute}),
		Tokens:     iss,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	h := srv.Handler()

	req := httptest.NewRequest(http.MethodPost, "/admin/login", nil)
	req.Header.Set("Cf-Access-Authenticated-User-Email", "ops@example.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("login: %d", rec.Code)
	}
	cookie := rec.Result().Cookies()[0]

	req = httptest.NewRequest(http.MethodPost, "/admin/enrolcodes?tenant=acme", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "code") {
		t.Fatalf("create code: %d %s", rec.Code, rec.Body)
	}

	req = httptest.NewRequest(http.MethodPost, "/admin/logout", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", rec.Code)
	}

	req = httptest.NewRequest(http.MethodPost, "/admin/enrolcodes?tenant=acme", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", rec.Code)
	}
}

func TestHeartbeatRequiresToken(t *testing.T) {
	s := memstore.New()
	iss := tokens.NewIssuer(s, time.Hour)
	srv := httpapi.New(httpapi.Deps{
		Load: s.Get, Save: s.Put, Remove: s.Delete,
		Heartbeats: heartbeat.NewRecorder(s, heartbeat.Config{StatusTTL: time.Minute, Interval: time.Minute}),
		Tokens:     iss,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	tok, _ := iss.Issue(t.Context(), "acme", "dev-1")

	body := `{"firmware":"2024.11","uptime_s":42}`
	req := httptest.NewRequest(http.MethodPost, "/v1/heartbeat", strings.NewReader(body))
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", rec.Code)
	}

	req = httptest.NewRequest(http.MethodPost, "/v1/heartbeat", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	rec = httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("heartbeat: %d %s", rec.Code, rec.Body)
	}
	if _, err := s.Get(t.Context(), "status:dev-1"); err != nil {
		t.Fatalf("status not written: %v", err)
	}
}
