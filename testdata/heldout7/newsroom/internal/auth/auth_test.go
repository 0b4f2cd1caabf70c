package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/store/memstore"
)

type fakeDir struct{ password string }

func (f fakeDir) Verify(_ context.Context, email, password string) (Editor, error) {
	if password != f.password {
		return Editor{}, errors.New("nope")
	}
	return Editor{ID: "ed-1", Email: email, Role: "editor"}, nil
}

func (f fakeDir) SetPassword(context.Context, string, string) error { return nil }

func newTestHandlers(t *testing.T) (*Handlers, *memstore.Store) {
	t.Helper()
	mem := memstore.New()
	cfg := config.Default()
	return NewHandlers(mem, fakeDir{password: "correct horse"}, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))), mem
}

func postForm(h http.HandlerFunc, path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h(rec, req)
	return rec
}

func TestLoginCreatesSession(t *testing.T) {
	h, _ := newTestHandlers(t)
	rec := postForm(h.login, "/login", url.Values{"email": {"Ed@Example.com"}, "password": {"correct horse"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("status = %d", rec.Code)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != sessionCookie {
		t.Fatalf("cookies = %v", cookies)
	}
	sess, err := h.Sessions.Lookup(context.Background(), cookies[0].Value)
	if err != nil || sess.Email != "ed@example.com" {
		t.Fatalf("Lookup = %+v, %v", sess, err)
	}
}

func TestLoginLocksAfterFailures(t *testing.T) {
	h, _ := newTestHandlers(t)
	form := url.Values{"email": {"ed@example.com"}, "password": {"wrong"}}
	for range h.cfg.LoginAttempts {
		if rec := postForm(h.login, "/login", form); rec.Code != http.StatusUnauthorized {
			t.Fatalf("status = %d", rec.Code)
		}
	}
	form.Set("password", "correct horse")
	if rec := postForm(h.login, "/login", form); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("expected lockout, got %d", rec.Code)
	}
}

func TestLogoutRevokes(t *testing.T) {
	h, _ := newTestHandlers(t)
	ctx := context.Background()
	sess, err := h.Sessions.Create(ctx, "ed-1", "ed@example.com", "editor")
	if err != nil {
		t.Fatal(err)
	}
	postForm(h.logout, "/logout", nil, &http.Cookie{Name: sessionCookie, Value: sess.ID})
	if _, err := h.Sessions.Lookup(ctx, sess.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session still live: %v", err)
	}
}

func TestTouchExtendsExpiry(t *testing.T) {
	h, _ := newTestHandlers(t)
	ctx := context.Background()
	now := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	h.Sessions.now = func() time.Time { return now }
	sess, _ := h.Sessions.Create(ctx, "ed-1", "ed@example.com", "editor")
	now = now.Add(11 * time.Hour)
	if err := h.Sessions.Touch(ctx, sess); err != nil {
		t.Fatal(err)
	}
	got, err := h.Sessions.Lookup(ctx, sess.ID)
	if err != nil || !got.ExpiresAt.Equal(now.Add(h.cfg.SessionTTL)) {
		t.Fatalf("expiry = %v, %v", got.ExpiresAt, err)
	}
}
