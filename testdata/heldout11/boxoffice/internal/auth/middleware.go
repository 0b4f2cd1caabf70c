package auth

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/boxoffice/internal/httpx"
)

// CookieName is the session cookie.
const CookieName = "bo_session"

// RequireSession rejects requests without a valid organiser session and
// records the organiser on the request context.
func (s *Service) RequireSession() httpx.Middleware {
	return func(next httpx.Handler) httpx.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			c, err := r.Cookie(CookieName)
			if err != nil || c.Value == "" {
				return httpx.Errorf(http.StatusUnauthorized, "sign in required")
			}
			sess, err := s.Session(r.Context(), c.Value)
			if errors.Is(err, ErrNoSession) {
				return httpx.Errorf(http.StatusUnauthorized, "session expired")
			}
			if err != nil {
				return err
			}
			return next(w, r.WithContext(httpx.WithAccount(r.Context(), sess.OrgID)))
		}
	}
}

// RequireAPIKey accepts "Authorization: Bearer bo_..." from integrations.
func (s *Service) RequireAPIKey() httpx.Middleware {
	return func(next httpx.Handler) httpx.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				return httpx.Errorf(http.StatusUnauthorized, "api key required")
			}
			k, err := s.LookupAPIKey(r.Context(), strings.TrimSpace(secret))
			if errors.Is(err, ErrBadKey) {
				return httpx.Errorf(http.StatusUnauthorized, "invalid api key")
			}
			if err != nil {
				return err
			}
			return next(w, r.WithContext(httpx.WithAccount(r.Context(), k.OrgID)))
		}
	}
}

// Handlers returns the sign-in endpoints keyed by "METHOD /path".
func (s *Service) Handlers() map[string]httpx.Handler {
	return map[string]httpx.Handler{
		"POST /auth/start":  s.handleStart,
		"POST /auth/verify": s.handleVerify,
		"POST /auth/logout": s.handleLogout,
	}
}

func (s *Service) handleStart(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email string `json:"email"`
		OrgID string `json:"org_id"`
	}
	if err := httpx.ReadJSON(r, &body); err != nil {
		return err
	}
	if !strings.Contains(body.Email, "@") {
		return httpx.Errorf(http.StatusBadRequest, "email required")
	}
	loginID, err := s.StartLogin(r.Context(), body.Email, body.OrgID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"login": loginID})
}

func (s *Service) handleVerify(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Login string `json:"login"`
		Code  string `json:"code"`
	}
	if err := httpx.ReadJSON(r, &body); err != nil {
		return err
	}
	sess, err := s.VerifyLogin(r.Context(), body.Login, body.Code)
	switch {
	case errors.Is(err, ErrBadCode):
		return httpx.Errorf(http.StatusUnauthorized, "invalid code")
	case errors.Is(err, ErrLocked):
		return httpx.Errorf(http.StatusTooManyRequests, "too many attempts")
	case err != nil:
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    sess.ID,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		Expires:  time.Now().Add(s.cfg.SessionTTL),
	})
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"org_id": sess.OrgID})
}

func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(CookieName)
	if err == nil && c.Value != "" {
		if err := s.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
