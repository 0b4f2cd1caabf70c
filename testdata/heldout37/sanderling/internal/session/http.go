package session

import (
	"errors"
	"net/http"

	"sanderling/internal/httpx"
)

// Handler serves the session endpoints of the dashboard.
type Handler struct{ m *Manager }

// NewHandler returns a Handler.
func NewHandler(m *Manager) *Handler { return &Handler{m: m} }

// Register adds the routes to mux. The /internal routes are only reachable from
// the login service.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /internal/users/{uid}/sessions", h.login)
	mux.HandleFunc("POST /internal/users/{uid}/password-changed", h.passwordChanged)
	mux.HandleFunc("GET /v1/me", h.me)
	mux.HandleFunc("GET /v1/dashboard", h.dashboard)
	mux.HandleFunc("POST /v1/logout", h.logout)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	s, err := h.m.Create(r.Context(), r.PathValue("uid"))
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "storage_error")
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"id": s.ID, "csrf": s.CSRF, "expires": s.ExpiresAt})
}

// current loads the request's session, writing the error response if there is none.
func (h *Handler) current(w http.ResponseWriter, r *http.Request) (Session, bool) {
	s, err := h.m.FromRequest(r)
	if errors.Is(err, ErrNoSession) {
		httpx.Error(w, http.StatusUnauthorized, "no_session")
	} else if err != nil {
		httpx.Error(w, http.StatusBadGateway, "storage_error")
	}
	return s, err == nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	if s, ok := h.current(w, r); ok {
		if err := h.m.MarkSeen(r.Context(), &s); err != nil {
			httpx.Error(w, http.StatusBadGateway, "storage_error")
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"user": s.UserID, "expires": s.ExpiresAt})
	}
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if s, ok := h.current(w, r); ok {
		if err := h.m.Touch(r.Context(), &s); err != nil {
			httpx.Error(w, http.StatusBadGateway, "storage_error")
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"user": s.UserID})
	}
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	s, ok := h.current(w, r)
	if !ok {
		return
	}
	if r.Header.Get("X-CSRF-Token") != s.CSRF {
		httpx.Error(w, http.StatusForbidden, "csrf")
		return
	}
	if err := h.m.Destroy(r.Context(), s); err != nil {
		httpx.Error(w, http.StatusBadGateway, "storage_error")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Path: "/", MaxAge: -1, Secure: true})
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) passwordChanged(w http.ResponseWriter, r *http.Request) {
	n, err := h.m.RevokeAll(r.Context(), r.PathValue("uid"), r.URL.Query().Get("keep"))
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "storage_error")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"revoked": n})
}
