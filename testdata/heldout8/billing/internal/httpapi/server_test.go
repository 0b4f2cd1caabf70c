package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/billing/internal/apikeys"
	"example.com/billing/internal/config"
	"example.com/billing/internal/sessions"
	"example.com/billing/internal/storage/memstore"
)

func testServer(t *testing.T, limit int) (*Server, *[]string) {
	t.Helper()
	recorded := &[]string{}
	cfg := config.Default()
	cfg.RateLimit = config.RateLimit{Window: time.Minute, Requests: limit}
	deps := Deps{
		Store: memstore.New(),
		ResolveKey: func(_ context.Context, secret string) (apikeys.Record, error) {
			if secret != "bk_test" {
				return apikeys.Record{}, apikeys.ErrUnknownKey
			}
			return apikeys.Record{CustomerID: "cus_1"}, nil
		},
		CheckQuota: func(context.Context, string, string) error { return nil },
		RecordUsage: func(_ context.Context, cust, metric string, units int64) error {
			*recorded = append(*recorded, cust+"/"+metric)
			return nil
		},
		LoadSession: func(_ context.Context, id string) (sessions.Session, error) {
			return sessions.Session{ID: id, CustomerID: "cus_1"}, nil
		},
		TouchSession:  func(context.Context, sessions.Session) error { return nil },
		RevokeSession: func(context.Context, string) error { return nil },
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return New(deps, cfg), recorded
}

func post(s *Server, auth string) int {
	req := httptest.NewRequest(http.MethodPost, "/v1/usage", strings.NewReader(`{"metric":"api_calls","units":1}`))
	req.Header.Set("Authorization", auth)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

func TestUsageIngest(t *testing.T) {
	s, recorded := testServer(t, 100)
	if code := post(s, "Bearer bk_test"); code != http.StatusAccepted {
		t.Fatalf("code = %d", code)
	}
	if len(*recorded) != 1 || (*recorded)[0] != "cus_1/api_calls" {
		t.Fatalf("recorded = %v", *recorded)
	}
	if code := post(s, "Bearer nope"); code != http.StatusUnauthorized {
		t.Fatalf("bad key code = %d", code)
	}
}

func TestRateLimited(t *testing.T) {
	s, _ := testServer(t, 1)
	first, second := post(s, "Bearer bk_test"), post(s, "Bearer bk_test")
	if first != http.StatusAccepted || second != http.StatusTooManyRequests {
		t.Fatalf("codes = %d, %d", first, second)
	}
}

func TestLogoutClearsCookie(t *testing.T) {
	s, _ := testServer(t, 100)
	req := httptest.NewRequest(http.MethodPost, "/portal/logout", nil)
	req.AddCookie(&http.Cookie{Name: "bsid", Value: "usr_1.abc"})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("code = %d, cookie = %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}
