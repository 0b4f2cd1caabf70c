package portal

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"wigeon/internal/tenant"
)

const cookieName = "wg_sess"

// Handler serves the portal's sign-in and account routes.
type Handler struct {
	Sessions *Sessions
	Profiles *Profiles
}

// Register adds the portal routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /portal/login/magic/{code}", h.verifyMagic)
	mux.HandleFunc("GET /portal/login/oauth/callback", h.oauthCallback)
	mux.HandleFunc("POST /portal/logout", h.logout)
	mux.HandleFunc("PUT /portal/me/preferences/{channel}", h.setChannel)
	mux.HandleFunc("POST /v1/support/sessions/{action}/{id}", h.support)
	mux.HandleFunc("DELETE /v1/support/artefacts/{kind}/{id}", h.purge)
}

func status(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, ErrNoSession), errors.Is(err, ErrExpired):
		http.Error(w, "sign in required", http.StatusUnauthorized)
	case errors.Is(err, ErrBadCode), errors.Is(err, ErrBadState):
		http.Error(w, "link expired", http.StatusGone)
	case errors.Is(err, ErrUnknown):
		http.Error(w, "unknown", http.StatusNotFound)
	default:
		slog.Error("portal", "err", err)
		http.Error(w, "internal", http.StatusInternalServerError)
	}
}

func (h *Handler) verifyMagic(w http.ResponseWriter, r *http.Request) {
	ss, err := h.Sessions.VerifyMagicLink(r.Context(), r.PathValue("code"), r.UserAgent())
	if err != nil {
		status(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: ss.ID, Path: "/", HttpOnly: true, Secure: true, Expires: ss.ExpiresAt})
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

func (h *Handler) oauthCallback(w http.ResponseWriter, r *http.Request) {
	_, returnTo, err := h.Sessions.FinishOAuth(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		status(w, err)
		return
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err == nil {
		err = h.Sessions.Logout(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	status(w, err)
}

// setChannel is the only authenticated route that does not go through the
// SPA's API; it checks the session itself.
func (h *Handler) setChannel(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		status(w, ErrNoSession)
		return
	}
	ss, err := h.Sessions.Get(r.Context(), c.Value)
	if err == nil {
		err = h.Sessions.Touch(r.Context(), ss.ID)
	}
	if err != nil {
		status(w, err)
		return
	}
	ctx := tenant.WithCustomer(r.Context(), ss.CustomerID)
	pr, err := h.Profiles.SetChannel(ctx, r.PathValue("channel"), r.URL.Query().Get("on") == "true")
	if err != nil {
		status(w, err)
		return
	}
	_ = json.NewEncoder(w).Encode(pr)
}

func (h *Handler) support(w http.ResponseWriter, r *http.Request) {
	act, ok := Actions[r.PathValue("action")]
	if !ok {
		status(w, ErrUnknown)
		return
	}
	status(w, act(h.Sessions, r.Context(), r.PathValue("id")))
}

func (h *Handler) purge(w http.ResponseWriter, r *http.Request) {
	status(w, h.Sessions.Purge(r.Context(), r.PathValue("kind"), r.PathValue("id")))
}
