package httpapi

import (
	"context"
	"net/http"
	"time"

	"gadwall/internal/keys"
	"gadwall/internal/portal"
)

const sessionCookie = "gw_session"

// sessionHandler is a portal handler that runs with a signed-in session.
type sessionHandler func(p *portal.Portal, w http.ResponseWriter, r *http.Request, s *portal.Session) error

// sessionOnly adapts a portal method that needs nothing but the session.
func sessionOnly(fn func(*portal.Portal, context.Context, *portal.Session) error) sessionHandler {
	return func(p *portal.Portal, w http.ResponseWriter, r *http.Request, s *portal.Session) error {
		if err := fn(p, r.Context(), s); err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// requireSession loads the caller's session and extends it.
func requireSession(d Deps, r *http.Request) (*portal.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, portal.ErrNoSession
	}
	s, err := d.Portal.Sessions.Find(r.Context(), keys.SessionID(c.Value))
	if err != nil {
		return nil, err
	}
	if err := s.Touch(r.Context()); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return s, nil
}

func withSession(d Deps, h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := requireSession(d, r)
		if err == nil {
			err = h(d.Portal, w, r, s)
		}
		if err != nil {
			fail(w, err)
		}
	}
}

func setSessionCookie(w http.ResponseWriter, s *portal.Session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: string(s.ID), Path: "/", Expires: s.ExpiresAt, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func handleLogin(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := d.Portal.Login(r.Context(), clientIP(r), r.PostFormValue("email"), r.PostFormValue("password"), r.UserAgent())
		if err != nil {
			fail(w, err)
			return
		}
		setSessionCookie(w, s)
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleMagicRedeem(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := d.Portal.RedeemMagicLink(r.Context(), r.URL.Query().Get("t"), r.UserAgent())
		if err != nil {
			fail(w, err)
			return
		}
		setSessionCookie(w, s)
		http.Redirect(w, r, "/portal/", http.StatusSeeOther)
	}
}

func handleSwitchTenant(p *portal.Portal, w http.ResponseWriter, r *http.Request, s *portal.Session) error {
	id := r.URL.Query().Get("tenant")
	if id == "" || len(id) > 64 {
		http.Error(w, "bad tenant", http.StatusBadRequest)
		return nil
	}
	if err := p.SwitchTenant(r.Context(), s, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func handleRotate(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, s, err := d.Portal.Rotate(r.Context(), r.PostFormValue("refresh_token"), r.UserAgent())
		if err != nil {
			fail(w, err)
			return
		}
		_ = writeJSON(w, map[string]any{"refresh_token": tok, "session": s.ID, "expires_in": int(time.Until(s.ExpiresAt).Seconds())})
	}
}
