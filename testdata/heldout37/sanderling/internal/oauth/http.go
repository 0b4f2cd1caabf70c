package oauth

import (
	"cmp"
	"errors"
	"net/http"
	"strings"
	"time"

	"sanderling/internal/config"
	"sanderling/internal/httpx"
	"sanderling/internal/kvstore"
	"sanderling/internal/session"
)

// Handler serves the device authorization and token endpoints.
type Handler struct {
	flow     *DeviceFlow
	sessions *session.Manager
	stats    kvstore.Putter // state namespace, prefixed "stats:"
	issuer   string
}

// NewHandler returns a Handler.
func NewHandler(flow *DeviceFlow, sessions *session.Manager, stats kvstore.Putter, issuer string) *Handler {
	return &Handler{flow: flow, sessions: sessions, stats: stats, issuer: issuer}
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth/device/code", h.deviceCode)
	mux.HandleFunc("POST /oauth/token", h.token)
	mux.HandleFunc("POST /oauth/device/approve", h.approve)
}

func (h *Handler) deviceCode(w http.ResponseWriter, r *http.Request) {
	g, err := h.flow.Start(r.Context(), r.PostFormValue("client_id"), strings.Fields(r.PostFormValue("scope")))
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "temporarily_unavailable")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{
		"device_code": g.DeviceCode, "user_code": g.UserCode, "verification_uri": h.issuer + "/device",
		"expires_in": int(config.DeviceCodeTTL.Seconds()), "interval": int(config.PollInterval.Seconds()),
	})
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	var t Tokens
	var err error
	switch r.PostFormValue("grant_type") {
	case "urn:ietf:params:oauth:grant-type:device_code":
		t, err = h.flow.Poll(r.Context(), r.PostFormValue("device_code"), r.PostFormValue("client_id"))
	case "refresh_token":
		t, err = h.flow.Refresh(r.Context(), r.PostFormValue("refresh_token"), r.PostFormValue("client_id"))
	default:
		err = errors.New("unsupported_grant_type")
	}
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, t)
}

// approve is posted by the dashboard's /device page.
func (h *Handler) approve(w http.ResponseWriter, r *http.Request) {
	s, err := h.sessions.FromRequest(r)
	if err != nil || r.Header.Get("X-CSRF-Token") != s.CSRF {
		httpx.Error(w, http.StatusUnauthorized, "no_session")
		return
	}
	ip := cmp.Or(r.Header.Get("CF-Connecting-IP"), r.RemoteAddr)
	if err := h.flow.Approve(r.Context(), r.PostFormValue("user_code"), s.UserID, ip); err != nil {
		httpx.Error(w, http.StatusBadRequest, "invalid_code")
		return
	}
	_ = h.stats.Put(r.Context(), "device:last-approval", []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.PutOptions{}) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}
