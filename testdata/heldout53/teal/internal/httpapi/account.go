package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tealpkg/teal/internal/account"
	"github.com/tealpkg/teal/internal/twofactor"
)

const sessionCookie = "teal_session"

func (h *Handler) session(r *http.Request) (*account.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, account.ErrNoSession
	}
	sess, err := h.app.sessions.Find(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if err := sess.Touch(r.Context()); err != nil {
		h.app.log.Warn("touch session", "err", err)
	}
	return sess, nil
}

func (h *Handler) requestLink(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("user")
	token, err := h.app.links.Issue(r.Context(), user, r.FormValue("next"))
	if err != nil {
		h.fail(w, err)
		return
	}
	h.app.log.Info("sign-in link issued", "user", user, "len", len(token))
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) consumeLink(w http.ResponseWriter, r *http.Request) {
	link, err := h.app.links.Consume(r.Context(), r.PathValue("token"))
	if errors.Is(err, account.ErrLinkUsed) {
		http.Error(w, err.Error(), http.StatusGone)
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	if _, err := h.app.otp.Issue(r.Context(), link.User, "login"); err != nil {
		h.fail(w, err)
		return
	}
	http.Redirect(w, r, "/login/confirm?user="+link.User, http.StatusSeeOther)
}

func (h *Handler) confirmCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := r.FormValue("user")
	code, err := h.app.otp.Pending(ctx, user, "login")
	if err != nil {
		http.Error(w, "no pending code", http.StatusUnauthorized)
		return
	}
	switch err := code.Redeem(ctx, r.FormValue("code")); {
	case errors.Is(err, twofactor.ErrMismatch), errors.Is(err, twofactor.ErrLocked):
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	case err != nil:
		h.fail(w, err)
		return
	}
	sess, err := h.app.sessions.Start(ctx, user, true)
	if err != nil {
		h.fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds())})
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := h.session(r)
	if err == nil {
		if err := sess.End(r.Context()); err != nil {
			h.fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type profile struct {
	User     string   `json:"user"`
	Email    string   `json:"email"`
	Packages []string `json:"packages"`
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	sess, err := h.session(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	var p profile
	if err := json.Unmarshal(h.app.kv.MustGet(r.Context(), h.app.ns.Auth, "user:"+sess.User), &p); err != nil {
		panic(err)
	}
	writeJSON(w, http.StatusOK, p)
}

func (h *Handler) mintToken(w http.ResponseWriter, r *http.Request) {
	sess, err := h.session(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	var req struct {
		Scopes []string `json:"scopes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tok, secret, err := h.app.tokens.Mint(r.Context(), sess.User, req.Scopes)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": tok.ID, "token": secret, "expires": tok.ExpiresAt})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	sess, err := h.session(r)
	if err != nil {
		h.fail(w, err)
		return
	}
	tok, err := h.app.tokens.Authenticate(r.Context(), r.Header.Get("X-Token"))
	if err != nil || tok.Owner != sess.User || tok.ID != r.PathValue("id") {
		http.Error(w, "unknown token", http.StatusNotFound)
		return
	}
	if err := tok.Revoke(r.Context(), "revoked by owner"); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
