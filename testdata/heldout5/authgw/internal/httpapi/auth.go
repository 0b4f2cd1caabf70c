package httpapi

import (
	"errors"
	"net/http"

	"example.com/authgw/internal/identity"
	"example.com/authgw/internal/magiclink"
	"example.com/authgw/internal/middleware"
	"example.com/authgw/internal/password"
	"example.com/authgw/internal/tokens"
)

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResult struct {
	UserID       string `json:"user_id"`
	RefreshToken string `json:"refresh_token"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if err := readJSON(r, &c); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	u, err := a.d.Signup(r.Context(), c.Email, c.Password)
	switch {
	case errors.Is(err, identity.ErrEmailTaken):
		a.fail(w, r, http.StatusConflict, "email already registered", nil)
		return
	case errors.Is(err, identity.ErrWeakPassword):
		a.fail(w, r, http.StatusUnprocessableEntity, "password too short", nil)
		return
	case err != nil:
		a.fail(w, r, http.StatusInternalServerError, "signup failed", err)
		return
	}
	a.record(r, u.ID, "user.signup", u.Email, true)
	a.startSession(w, r, u.ID, "signup")
}

// startSession creates a session and a refresh token family for uid.
func (a *API) startSession(w http.ResponseWriter, r *http.Request, uid, method string) {
	ctx := r.Context()
	s, err := a.d.CreateSession(ctx, uid, r.UserAgent())
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not start session", err)
		return
	}
	rt, err := a.d.IssueRefresh(ctx, uid)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not start session", err)
		return
	}
	if a.d.CountLogin != nil {
		_ = a.d.CountLogin(ctx, method, true)
	}
	setSessionCookie(w, s.ID, s.ExpiresAt)
	writeJSON(w, http.StatusOK, loginResult{UserID: uid, RefreshToken: rt})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if err := readJSON(r, &c); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	ctx := r.Context()
	if err := a.d.CheckLock(ctx, c.Email); errors.Is(err, password.ErrLocked) {
		a.fail(w, r, http.StatusTooManyRequests, "account temporarily locked", nil)
		return
	} else if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "login failed", err)
		return
	}
	u, err := a.d.UserByEmail(ctx, c.Email)
	if err == nil {
		err = a.d.VerifyPassword(u, c.Password)
	}
	if err != nil {
		if ferr := a.d.LoginFailed(ctx, c.Email); ferr != nil {
			a.d.Log.Warn("recording failed login", "err", ferr)
		}
		if a.d.CountLogin != nil {
			_ = a.d.CountLogin(ctx, "password", false)
		}
		a.record(r, "anonymous", "login.password", c.Email, false)
		a.fail(w, r, http.StatusUnauthorized, "invalid email or password", nil)
		return
	}
	_ = a.d.LoginOK(ctx, c.Email)
	a.record(r, u.ID, "login.password", u.Email, true)
	a.startSession(w, r, u.ID, "password")
}

func (a *API) requestMagicLink(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Redirect string `json:"redirect"`
	}
	if err := readJSON(r, &body); err != nil || body.Email == "" {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	err := a.d.SendMagicLink(r.Context(), body.Email, safeReturn(body.Redirect))
	if errors.Is(err, magiclink.ErrTooMany) {
		a.fail(w, r, http.StatusTooManyRequests, "too many links requested", nil)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "could not send link", err)
		return
	}
	// Same answer whether or not the address has an account.
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

func (a *API) magicCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	link, err := a.d.RedeemMagicLink(ctx, r.URL.Query().Get("token"))
	if errors.Is(err, magiclink.ErrInvalid) {
		a.fail(w, r, http.StatusGone, "link expired", nil)
		return
	}
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "sign-in failed", err)
		return
	}
	u, err := a.d.UserByEmail(ctx, link.Email)
	if err != nil {
		a.fail(w, r, http.StatusUnauthorized, "no account for this address", nil)
		return
	}
	s, err := a.d.CreateSession(ctx, u.ID, r.UserAgent())
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "sign-in failed", err)
		return
	}
	a.record(r, u.ID, "login.magic", u.Email, true)
	setSessionCookie(w, s.ID, s.ExpiresAt)
	http.Redirect(w, r, safeReturn(link.Redirect), http.StatusSeeOther)
}

func (a *API) refresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	next, uid, err := a.d.RotateRefresh(r.Context(), body.RefreshToken)
	switch {
	case errors.Is(err, tokens.ErrReused):
		a.record(r, "anonymous", "token.reuse", "", false)
		a.fail(w, r, http.StatusUnauthorized, "refresh token revoked", nil)
		return
	case errors.Is(err, tokens.ErrInvalid):
		a.fail(w, r, http.StatusUnauthorized, "refresh token invalid", nil)
		return
	case err != nil:
		a.fail(w, r, http.StatusInternalServerError, "refresh failed", err)
		return
	}
	writeJSON(w, http.StatusOK, loginResult{UserID: uid, RefreshToken: next})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	p := middleware.PrincipalFrom(r.Context())
	if err := a.d.EndSession(r.Context(), p.SessionID); err != nil {
		a.fail(w, r, http.StatusInternalServerError, "logout failed", err)
		return
	}
	clearSessionCookie(w)
	a.record(r, p.UserID, "logout", p.SessionID, true)
	w.WriteHeader(http.StatusNoContent)
}

// logoutEverywhere ends every session and refresh token family of the user.
func (a *API) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := middleware.PrincipalFrom(ctx)
	n, err := a.d.EndAllSessions(ctx, p.UserID)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "sign out failed", err)
		return
	}
	m, err := a.d.RevokeRefresh(ctx, p.UserID)
	if err != nil {
		a.fail(w, r, http.StatusInternalServerError, "sign out failed", err)
		return
	}
	clearSessionCookie(w)
	a.record(r, p.UserID, "logout.all", "", true)
	writeJSON(w, http.StatusOK, map[string]int{"sessions": n, "token_families": m})
}

func (a *API) stepUp(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := middleware.PrincipalFrom(ctx)
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	u, err := a.d.UserByEmail(ctx, body.Email)
	if err != nil || u.ID != p.UserID || a.d.VerifyPassword(u, body.Password) != nil {
		a.record(r, p.UserID, "stepup", "", false)
		a.fail(w, r, http.StatusUnauthorized, "re-authentication failed", nil)
		return
	}
	if err := a.d.GrantStepUp(ctx, p.SessionID); err != nil {
		a.fail(w, r, http.StatusInternalServerError, "step-up failed", err)
		return
	}
	a.record(r, p.UserID, "stepup", "", true)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := middleware.PrincipalFrom(ctx)
	if ok, err := a.d.HasStepUp(ctx, p.SessionID); err != nil || !ok {
		a.fail(w, r, http.StatusForbidden, "re-authenticate first", err)
		return
	}
	var body struct {
		Old string `json:"old_password"`
		New string `json:"new_password"`
	}
	if err := readJSON(r, &body); err != nil {
		a.fail(w, r, http.StatusBadRequest, "bad request", err)
		return
	}
	if err := a.d.ChangePassword(ctx, p.UserID, body.Old, body.New); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, identity.ErrInvalidCredentials) || errors.Is(err, identity.ErrWeakPassword) {
			status = http.StatusUnprocessableEntity
		}
		a.fail(w, r, status, "password not changed", err)
		return
	}
	// Other devices must sign in again; this one keeps a fresh session.
	if _, err := a.d.EndAllSessions(ctx, p.UserID); err != nil {
		a.d.Log.Warn("ending sessions after password change", "err", err)
	}
	if _, err := a.d.RevokeRefresh(ctx, p.UserID); err != nil {
		a.d.Log.Warn("revoking tokens after password change", "err", err)
	}
	a.record(r, p.UserID, "password.change", "", true)
	a.startSession(w, r, p.UserID, "password-change")
}

func (a *API) whoami(w http.ResponseWriter, r *http.Request) {
	p := middleware.PrincipalFrom(r.Context())
	s, err := a.d.PeekSession(r.Context(), p.SessionID)
	if err != nil {
		a.fail(w, r, http.StatusUnauthorized, "sign in required", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": s.UserID, "expires_at": s.ExpiresAt, "created_at": s.CreatedAt})
}
