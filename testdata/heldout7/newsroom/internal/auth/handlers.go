package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/httpx"
	"example.com/newsroom/internal/repo"
	"example.com/newsroom/internal/store"
)

// Editor is a CMS user as stored in D1.
type Editor struct {
	ID    string
	Email string
	Role  string
}

// Directory verifies credentials against the editors table.
type Directory interface {
	Verify(ctx context.Context, email, password string) (Editor, error)
	SetPassword(ctx context.Context, editorID, password string) error
}

type attemptRecord struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

// Handlers serves /login, /logout and account endpoints.
type Handlers struct {
	Sessions *Sessions
	dir      Directory
	st       store.Store
	attempts *repo.Repo[attemptRecord]
	cfg      config.Config
	log      *slog.Logger

	// markRevoked records the instant before which sessions of an editor are
	// no longer honoured.
	markRevoked store.PutFunc
}

// NewHandlers wires the auth endpoints.
func NewHandlers(st store.Store, dir Directory, cfg config.Config, log *slog.Logger) *Handlers {
	return &Handlers{
		Sessions:    NewSessions(st, cfg.SessionTTL),
		dir:         dir,
		st:          st,
		attempts:    repo.New[attemptRecord](st, "login-attempts:", repo.WithTTL(cfg.LoginWindow)),
		cfg:         cfg,
		log:         log,
		markRevoked: st.Put,
	}
}

// Routes returns the handler table.
func (h *Handlers) Routes() httpx.Routes {
	return httpx.Routes{
		"POST /login":            h.login,
		"POST /logout":           h.logout,
		"POST /account/password": h.changePassword,
		"POST /account/desk":     h.switchDesk,
		"GET /account/csrf":      h.csrf,
	}
}

const sessionCookie = "nr_session"

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	if email == "" {
		httpx.Error(w, http.StatusBadRequest, "email required")
		return
	}
	rec, err := h.attempts.Get(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rec = attemptRecord{First: time.Now()}
	case err != nil:
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if rec.Count >= h.cfg.LoginAttempts {
		httpx.Error(w, http.StatusTooManyRequests, "too many attempts, try later")
		return
	}
	ed, err := h.dir.Verify(ctx, email, r.FormValue("password"))
	if err != nil {
		rec.Count++
		if err := h.attempts.Save(ctx, email, rec); err != nil { // EXPECT kvcounter
			h.log.Warn("could not record failed login", "err", err)
		}
		httpx.Error(w, http.StatusUnauthorized, "wrong email or password")
		return
	}
	sess, err := h.Sessions.Create(ctx, ed.ID, ed.Email, ed.Role)
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "could not sign in")
		return
	}
	SetCookie(w, sess, h.cfg.SessionTTL)
	http.Redirect(w, r, "/desk", http.StatusSeeOther)
}

// SetCookie sets the session cookie.
func SetCookie(w http.ResponseWriter, sess Session, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/",
		MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.Sessions.Revoke(r.Context(), c.Value); err != nil {
			h.log.Warn("logout failed", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, ok := h.current(r)
	if !ok {
		httpx.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	if err := h.dir.SetPassword(ctx, sess.EditorID, r.FormValue("password")); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	cutoff := time.Now().UTC().Format(time.RFC3339Nano)
	if err := h.markRevoked(ctx, "auth:revoked-before:"+sess.EditorID, []byte(cutoff), store.WithTTL(h.cfg.SessionTTL)); err != nil { // EXPECT kvsession
		httpx.Error(w, http.StatusServiceUnavailable, "password changed, but other sessions are still active")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (h *Handlers) switchDesk(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.current(r)
	if !ok {
		httpx.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	if err := h.Sessions.SwitchDesk(r.Context(), sess.ID, r.FormValue("desk")); err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// csrf issues a fresh form token bound to the session.
func (h *Handlers) csrf(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.current(r)
	if !ok {
		httpx.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	tok := NewID()
	if err := h.st.Put(r.Context(), "csrf:"+sess.ID, []byte(tok), store.WithTTL(h.cfg.CSRFTTL)); err != nil { // EXPECT kvsession
		httpx.Error(w, http.StatusServiceUnavailable, "try again")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"csrf": tok})
}

func (h *Handlers) current(r *http.Request) (Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Session{}, false
	}
	sess, err := h.Sessions.Lookup(r.Context(), c.Value)
	return sess, err == nil
}

// RequireEditor rejects requests without a live session and keeps active
// sessions alive.
func (h *Handlers) RequireEditor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := h.current(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err := h.Sessions.Touch(r.Context(), sess); err != nil {
			h.log.Warn("session refresh failed", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(httpx.WithEditor(r.Context(), sess.EditorID)))
	})
}
