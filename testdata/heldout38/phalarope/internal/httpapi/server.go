// Package httpapi exposes the backend to the CLI, the dashboard and the API
// gateway.
package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/phalarope/internal/apikeys"
	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/devicelogin"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/metering"
	"github.com/tollgate-dev/phalarope/internal/sessions"
)

const (
	lastIngestKey = "usage:last-ingest"
	bannerKey     = "config:dashboard-banner"
)

// Server holds the handlers' collaborators.
type Server struct {
	Keys     *apikeys.Service
	Device   *devicelogin.Service
	Sessions *sessions.Manager
	Meter    *metering.Recorder
	KV       *kv.Client
	NS       kv.Namespace
	Clock    clock.Clock
	Log      *slog.Logger
}

// Routes returns the HTTP handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/device/code", s.deviceCode)
	mux.HandleFunc("/v1/device/token", s.deviceToken)
	mux.HandleFunc("/device/approve", s.deviceApprove)
	mux.HandleFunc("/v1/usage", s.ingestUsage)
	mux.HandleFunc("/v1/logout", s.logout)
	mux.HandleFunc("/v1/admin/keys", s.adminKeys)
	mux.HandleFunc("/v1/admin/banner", s.setBanner)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	start, err := s.Device.Begin(r.Context(), r.FormValue("client_id"))
	if err != nil {
		s.Log.Error("device code", "err", err)
		http.Error(w, "server_error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":      start.DeviceCode,
		"user_code":        start.UserCode,
		"verification_uri": start.VerificationURI,
		"expires_in":       start.ExpiresIn,
		"interval":         start.Interval,
	})
}

func (s *Server) deviceToken(w http.ResponseWriter, r *http.Request) {
	token, err := s.Device.Poll(r.Context(), r.FormValue("device_code"))
	for _, e := range []error{devicelogin.ErrPending, devicelogin.ErrSlowDown, devicelogin.ErrExpired, devicelogin.ErrDenied} {
		if errors.Is(err, e) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": e.Error()})
			return
		}
	}
	if err != nil {
		http.Error(w, "server_error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_token": token, "token_type": "Bearer"})
}

func (s *Server) deviceApprove(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("tg_session")
	if err != nil {
		http.Redirect(w, r, "/login?next=/device", http.StatusSeeOther)
		return
	}
	userID, sid, _ := strings.Cut(c.Value, ".")
	sess, err := s.Sessions.Resolve(r.Context(), userID, sid)
	if err != nil {
		http.Redirect(w, r, "/login?next=/device", http.StatusSeeOther)
		return
	}
	if r.FormValue("csrf") != sess.CSRF {
		http.Error(w, "bad csrf token", http.StatusForbidden)
		return
	}
	switch err := s.Device.Approve(r.Context(), clientIP(r), r.FormValue("user_code"), sess.UserID); {
	case errors.Is(err, devicelogin.ErrLimited):
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case errors.Is(err, devicelogin.ErrExpired):
		http.Error(w, "that code has expired", http.StatusGone)
	case err != nil:
		http.Error(w, "server_error", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

type usageLine struct {
	Org   string `json:"org"`
	Units int64  `json:"units"`
	Seq   int64  `json:"seq"`
}

// ingestUsage receives batches of usage lines from the API gateway.
func (s *Server) ingestUsage(w http.ResponseWriter, r *http.Request) {
	key, err := s.Keys.Authenticate(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if err != nil || !containsScope(key.Scopes, "usage:write") {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var lines []usageLine
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&lines); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	events := make([]metering.Event, 0, len(lines))
	seqs := make([]int64, 0, len(lines))
	at := s.Clock.Now()
	for _, l := range lines {
		events = append(events, metering.RequestServed{Org: l.Org, Units: l.Units, At: at})
		seqs = append(seqs, l.Seq)
	}
	if err := s.Meter.ApplyBatch(r.Context(), events, seqs); err != nil {
		s.Log.Error("apply usage", "err", err)
		http.Error(w, "retry", http.StatusServiceUnavailable)
		return
	}
	if err := s.NS.Put(r.Context(), s.KV, lastIngestKey, []byte(at.UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
		s.Log.Warn("last ingest", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func containsScope(scopes []string, want string) bool {
	for _, sc := range scopes {
		if sc == want {
			return true
		}
	}
	return false
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("tg_session")
	if err == nil {
		userID, sid, _ := strings.Cut(c.Value, ".")
		if r.FormValue("everywhere") == "1" {
			err = s.Sessions.LogoutEverywhere(r.Context(), userID)
		} else {
			err = s.Sessions.Logout(r.Context(), userID, sid)
		}
		if err != nil {
			s.Log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "tg_session", MaxAge: -1, Path: "/"})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// adminKeys pages through stored API key records for the support console.
func (s *Server) adminKeys(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit < 10 || limit > 1000 {
		limit = 100
	}
	keys, next, err := s.NS.Page(r.Context(), s.KV, "apikey:", r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, "server_error", http.StatusInternalServerError)
		return
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
}

// setBanner updates the dashboard banner; support staff use it during
// incidents.
func (s *Server) setBanner(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	text := r.FormValue("text")
	if err := s.NS.PutTTL(r.Context(), s.KV, bannerKey, []byte(text), 24*time.Hour); err != nil { // DEBATABLE kvhotkey
		http.Error(w, "server_error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
