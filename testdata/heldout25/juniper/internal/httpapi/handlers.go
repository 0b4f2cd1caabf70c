package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/juniper/internal/apikeys"
	"example.com/juniper/internal/checkin"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/holds"
	"example.com/juniper/internal/ratelimit"
	"example.com/juniper/internal/seatmap"
	"example.com/juniper/internal/sessions"
	"example.com/juniper/internal/store"
	"example.com/juniper/internal/waitroom"
	"example.com/juniper/internal/webhooks"
)

// Authenticator checks organizer credentials against the identity provider.
type Authenticator interface {
	Login(r *http.Request, email, password string) (orgID, userID string, roles []string, err error)
}

// API bundles the backend handlers.
type API struct {
	raw      store.Raw
	holds    holds.Service
	room     waitroom.Room
	desk     checkin.Desk
	keys     apikeys.Registry
	seats    seatmap.Catalog
	payments webhooks.Receiver
	auth     Authenticator
	login    ratelimit.Limiter
	cfg      *config.Holder
}

// New returns the API.
func New(raw store.Raw, h holds.Service, room waitroom.Room, desk checkin.Desk, keys apikeys.Registry,
	seats seatmap.Catalog, payments webhooks.Receiver, auth Authenticator, login ratelimit.Limiter, cfg *config.Holder) *API {
	return &API{raw: raw, holds: h, room: room, desk: desk, keys: keys, seats: seats,
		payments: payments, auth: auth, login: login, cfg: cfg}
}

// Public returns routes that need no session.
func (a *API) Public() Routes {
	return Routes{
		"POST /v1/login":                            a.handleLogin,
		"POST /v1/events/{event}/queue":             a.handleJoin,
		"GET /v1/events/{event}/queue/{visitor}":    a.handlePosition,
		"POST /v1/events/{event}/holds":             a.handleCreateHold,
		"DELETE /v1/events/{event}/holds/{hold}":    a.handleReleaseHold,
		"GET /v1/venues/{venue}/events/{event}/map": a.handleSeatMap,
		"POST /v1/webhooks/payments":                a.handlePaymentWebhook,
		"POST /v1/events/{event}/checkin/{code}":    a.handleCheckin,
	}
}

// Organizer returns routes that require a session.
func (a *API) Organizer() Routes {
	return Routes{
		"POST /v1/logout":                           a.handleLogout,
		"POST /v1/apikeys":                          a.handleCreateKey,
		"DELETE /v1/apikeys/{hash}":                 a.handleRevokeKey,
		"GET /v1/apikeys":                           a.handleListKeys,
		"POST /v1/events/{event}/queue/pause":       a.handlePause,
		"PUT /v1/venues/{venue}/events/{event}/map": a.handlePublishMap,
	}
}

func (a *API) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if ok, err := a.login.Allow(r.Context(), ratelimit.ClientIP(r)); err != nil || !ok {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	org, user, roles, err := a.auth.Login(r, in.Email, in.Password)
	if err != nil {
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	s, err := sessions.Create(r.Context(), org, user, roles)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	sessions.SetCookie(w, s)
	writeJSON(w, http.StatusOK, map[string]string{"org": org})
}

func (a *API) handleLogout(w http.ResponseWriter, r *http.Request) {
	s, ok := sessions.FromContext(r.Context())
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := sessions.Logout(r.Context(), s.ID); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessions.CookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleJoin(w http.ResponseWriter, r *http.Request) {
	visitor := r.Header.Get("X-Visitor-ID")
	if visitor == "" {
		http.Error(w, "missing visitor", http.StatusBadRequest)
		return
	}
	t, err := a.room.Join(r.Context(), r.PathValue("event"), visitor)
	if err != nil {
		http.Error(w, "queue unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) handlePosition(w http.ResponseWriter, r *http.Request) {
	ahead, admitted, err := a.room.Position(r.Context(), r.PathValue("event"), r.PathValue("visitor"))
	switch {
	case errors.Is(err, waitroom.ErrNotQueued):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, "queue unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Ahead    int  `json:"ahead"`
		Admitted bool `json:"admitted"`
	}{ahead, admitted})
}

func (a *API) handlePause(w http.ResponseWriter, r *http.Request) {
	reason := r.URL.Query().Get("reason")
	if err := a.room.Pause(r.Context(), r.PathValue("event"), reason); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *API) handleCreateHold(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Buyer string   `json:"buyer"`
		Seats []string `json:"seats"`
	}
	if err := readJSON(r, &in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h, err := a.holds.Create(r.Context(), r.PathValue("event"), in.Buyer, in.Seats)
	if errors.Is(err, holds.ErrTooManySeats) {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, h)
}

func (a *API) handleReleaseHold(w http.ResponseWriter, r *http.Request) {
	if err := a.holds.Release(r.Context(), r.PathValue("event"), r.PathValue("hold")); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleSeatMap(w http.ResponseWriter, r *http.Request) {
	version, err := strconv.Atoi(r.URL.Query().Get("v"))
	if err != nil || version < 1 {
		version = 1
	}
	m, err := a.seats.Published(r.Context(), r.PathValue("venue"), r.PathValue("event"), version)
	if err != nil {
		http.Error(w, "seat map unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, http.StatusOK, m)
}

func (a *API) handlePublishMap(w http.ResponseWriter, r *http.Request) {
	var m domain.SeatMap
	if err := readJSON(r, &m); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	m.VenueID, m.EventID = r.PathValue("venue"), r.PathValue("event")
	if err := a.seats.Publish(r.Context(), m); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	_ = a.raw.Put(r.Context(), "seatmap:catalog-version", []byte(stamp)) // DEBATABLE kvhotkey
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handlePaymentWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	_ = a.raw.Put(r.Context(), "webhooks:last-received", []byte(time.Now().UTC().Format(time.RFC3339Nano))) // EXPECT kvhotkey
	rc, err := a.payments.Receive(r.Context(), r.Header.Get("X-Signature"), body)
	switch {
	case errors.Is(err, webhooks.ErrSignature):
		http.Error(w, "bad signature", http.StatusUnauthorized)
	case errors.Is(err, webhooks.ErrDuplicate):
		writeJSON(w, http.StatusOK, rc)
	case errors.Is(err, webhooks.ErrThrottled):
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case err != nil:
		http.Error(w, "retry", http.StatusServiceUnavailable)
	default:
		writeJSON(w, http.StatusOK, rc)
	}
}

func (a *API) handleCheckin(w http.ResponseWriter, r *http.Request) {
	gate := r.URL.Query().Get("gate")
	if gate == "" {
		gate = a.cfg.Load().Checkin.GateNames[0]
	}
	c, err := a.desk.Redeem(r.Context(), r.PathValue("event"), r.PathValue("code"), gate)
	switch {
	case errors.Is(err, checkin.ErrInvalidCode), errors.Is(err, checkin.ErrWrongEvent):
		http.Error(w, "not admitted", http.StatusForbidden)
		return
	case err != nil:
		http.Error(w, "scanner offline", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (a *API) handleCreateKey(w http.ResponseWriter, r *http.Request) {
	s, _ := sessions.FromContext(r.Context())
	var in struct {
		Label  string   `json:"label"`
		Scopes []string `json:"scopes"`
	}
	if err := readJSON(r, &in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	plain, rec, err := a.keys.Create(r.Context(), s.OrgID, strings.TrimSpace(in.Label), in.Scopes)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Key string        `json:"key"`
		Rec domain.APIKey `json:"record"`
	}{plain, rec})
}

func (a *API) handleRevokeKey(w http.ResponseWriter, r *http.Request) {
	s, _ := sessions.FromContext(r.Context())
	if err := a.keys.Revoke(r.Context(), s.OrgID, r.PathValue("hash")); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleListKeys(w http.ResponseWriter, r *http.Request) {
	s, _ := sessions.FromContext(r.Context())
	recs, err := a.keys.ListForOrg(r.Context(), s.OrgID)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, recs)
}
