// Package api is the HTTP surface of fleetapi: the device endpoints
// (telemetry, config, pairing) and the operator console endpoints.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/devices"
	"github.com/whinchat/fleet/internal/fleet"
	"github.com/whinchat/fleet/internal/kvstore"
	"github.com/whinchat/fleet/internal/operators"
	"github.com/whinchat/fleet/internal/rollout"
	"github.com/whinchat/fleet/internal/telemetry"
)

// Server holds the services behind the HTTP endpoints.
type Server struct {
	Settings  config.Settings
	Root      kvstore.Space
	Configs   *devices.Configs
	Pairing   *devices.Pairing
	Tokens    *devices.Tokens
	Ingest    *telemetry.Ingest
	Summary   *telemetry.SummaryCache
	Directory *fleet.Directory
	Sessions  *operators.Sessions
	Rollouts  *rollout.Rollouts
	Events    *rollout.Publisher

	viewsMu sync.Mutex
	views   map[string]int
}

// Routes returns the server's handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/telemetry", s.device(s.postTelemetry))
	mux.HandleFunc("GET /v1/config", s.device(s.getConfig))
	mux.HandleFunc("POST /v1/pairing/code", s.postPairingCode)
	mux.HandleFunc("POST /v1/pairing/redeem", s.operator(s.postRedeem))
	mux.HandleFunc("GET /v1/devices", s.operator(s.listDevices))
	mux.HandleFunc("PATCH /v1/devices/{id}/config", s.operator(s.patchConfig))
	mux.HandleFunc("POST /v1/devices/{id}/decommission", s.operator(s.decommission))
	mux.HandleFunc("POST /v1/rollouts", s.operator(s.postRollout))
	mux.HandleFunc("GET /v1/export", s.operator(s.getExport))
	mux.HandleFunc("GET /v1/dashboard/{board}", s.operator(s.getDashboard))
	mux.HandleFunc("GET /v1/sso/start", s.ssoStart)
	mux.HandleFunc("GET /v1/sso/callback", s.ssoCallback)
	mux.HandleFunc("POST /v1/logout", s.operator(s.logout))
	return mux
}

func (s *Server) device(h func(http.ResponseWriter, *http.Request, devices.DeviceToken)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "missing token", http.StatusUnauthorized)
			return
		}
		tok, err := s.Tokens.Verify(r.Context(), secret)
		if err != nil {
			fail(w, r, err)
			return
		}
		h(w, r, tok)
	}
}

func (s *Server) operator(h func(http.ResponseWriter, *http.Request, *operators.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("fleet_session")
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		user, id, _ := strings.Cut(c.Value, ".")
		sess, err := s.Sessions.Authenticate(r.Context(), user, id)
		if err != nil {
			fail(w, r, err)
			return
		}
		h(w, r, sess)
	}
}

func (s *Server) postTelemetry(w http.ResponseWriter, r *http.Request, tok devices.DeviceToken) {
	var sample telemetry.Sample
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&sample); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sample.Tenant, sample.DeviceID = tok.Tenant, tok.DeviceID
	if sample.At.IsZero() {
		sample.At = time.Now().UTC()
	}
	ctx := r.Context()
	if err := s.Ingest.Record(ctx, sample); err != nil {
		fail(w, r, err)
		return
	}
	if err := s.Ingest.RecordTile(ctx, sample); err != nil {
		slog.WarnContext(ctx, "tile write failed", "device", sample.DeviceID, "err", err)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	if err := s.Root.Scope("status").Put(ctx, "last-ingest", stamp, 0); err != nil { // EXPECT kvhotkey
		slog.WarnContext(ctx, "ingest stamp failed", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request, tok devices.DeviceToken) {
	body, err := s.Configs.Fetch(r.Context(), tok.Tenant, tok.DeviceID)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *Server) postPairingCode(w http.ResponseWriter, r *http.Request) {
	var req struct{ DeviceID, Serial string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.DeviceID == "" || req.Serial == "" {
		http.Error(w, "device_id and serial required", http.StatusBadRequest)
		return
	}
	pc, err := s.Pairing.Issue(r.Context(), req.DeviceID, req.Serial)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, map[string]string{"code": pc.Code})
}

func (s *Server) postRedeem(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	ctx := r.Context()
	if ok, err := s.allowPairing(ctx, clientIP(r)); err != nil || !ok {
		if err == nil {
			err = devices.ErrTooManyTries
		}
		fail(w, r, err)
		return
	}
	var req struct {
		Code      string    `json:"code"`
		Model     string    `json:"model"`
		CertUntil time.Time `json:"cert_not_after"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pc, err := s.Pairing.Redeem(ctx, sess.Tenant, req.Code)
	if errors.Is(err, devices.ErrUnknownCode) {
		if _, ferr := s.Pairing.RecordFailure(ctx, sess.Tenant); ferr != nil {
			slog.WarnContext(ctx, "failure not recorded", "err", ferr)
		}
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	secret, err := s.Tokens.Issue(ctx, sess.Tenant, pc.DeviceID, req.CertUntil)
	if err == nil {
		err = s.Directory.Register(ctx, sess.Tenant, fleet.Device{ID: pc.DeviceID, Serial: pc.Serial, Model: req.Model, Paired: time.Now().UTC()})
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	if err := s.Configs.EnsureTenantDefaults(ctx, sess.Tenant); err != nil {
		slog.WarnContext(ctx, "tenant defaults not seeded", "tenant", sess.Tenant, "err", err)
	}
	writeJSON(w, map[string]string{"device_id": pc.DeviceID, "token": secret})
}

// allowPairing admits at most PairingPerMinute redemption attempts per
// client address and minute.
func (s *Server) allowPairing(ctx context.Context, ip string) (bool, error) {
	minute := time.Now().UTC().Format("200601021504")
	bucket := s.Root.Scope("ratelimit", "pairing", ip)
	n := 0
	raw, err := bucket.Get(ctx, minute)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return false, err
	}
	if n >= s.Settings.PairingPerMinute {
		return false, nil
	}
	return true, bucket.Put(ctx, minute, []byte(strconv.Itoa(n+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	items, next, err := s.Directory.Page(r.Context(), sess.Tenant, r.URL.Query().Get("cursor"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"devices": items, "cursor": next})
}

func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	var changes map[string]string
	if err := json.NewDecoder(r.Body).Decode(&changes); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	if err := s.Configs.Patch(ctx, sess.Tenant, id, changes); err != nil {
		fail(w, r, err)
		return
	}
	if err := s.Events.Publish(ctx, rollout.ConfigChanged{Ref: rollout.Ref{Tenant: sess.Tenant, DeviceID: id}}); err != nil {
		slog.WarnContext(ctx, "config event not fully applied", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) decommission(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	ctx, id := r.Context(), r.PathValue("id")
	err := s.Events.Publish(ctx, rollout.DeviceDecommissioned{Ref: rollout.Ref{Tenant: sess.Tenant, DeviceID: id}, By: sess.User})
	if err == nil {
		err = s.Directory.Remove(ctx, sess.Tenant, id)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) postRollout(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	var plan rollout.Plan
	if err := json.NewDecoder(r.Body).Decode(&plan); err != nil || plan.Version == "" {
		http.Error(w, "bad plan", http.StatusBadRequest)
		return
	}
	plan.Tenant = sess.Tenant
	ctx := r.Context()
	var err error
	if len(plan.Devices) == 0 {
		plan.Devices, err = s.Directory.AllIDs(ctx, sess.Tenant)
	}
	if err == nil {
		err = s.Rollouts.Apply(ctx, plan)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) getExport(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	if _, err := s.Directory.Export(r.Context(), sess.Tenant, w); err != nil {
		slog.ErrorContext(r.Context(), "export failed", "tenant", sess.Tenant, "err", err)
	}
}

func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	ctx, board := r.Context(), r.PathValue("board")
	sum, err := s.Summary.Get(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.viewsMu.Lock()
	if s.views == nil {
		s.views = map[string]int{}
	}
	s.views[board]++
	n := s.views[board]
	s.viewsMu.Unlock()
	if err := s.Root.Scope("views").Put(ctx, board, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
		slog.WarnContext(ctx, "view count not stored", "err", err)
	}
	writeJSON(w, map[string]any{"summary": sum, "views": n})
}

func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) {
	nonce, err := s.Sessions.BeginSignIn(r.Context(), r.URL.Query().Get("return_to"))
	if err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.Settings.SSOAuthorizeURL+"?state="+nonce, http.StatusFound)
}

// ssoCallback runs behind the SSO proxy, which has verified the identity
// provider's assertion and passes the user in headers.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	sess, returnTo, err := s.Sessions.FinishSignIn(r.Context(), r.URL.Query().Get("state"), h.Get("X-SSO-User"), h.Get("X-SSO-Tenant"), h.Get("X-SSO-Role"))
	if err != nil {
		fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: sess.User + "." + sess.ID, Path: "/", HttpOnly: true, Secure: true, Expires: sess.Expires})
	http.Redirect(w, r, returnTo, http.StatusFound)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *operators.Session) {
	if err := s.Sessions.Logout(r.Context(), sess.User, sess.ID); err != nil {
		fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, devices.ErrUnauthorized), errors.Is(err, operators.ErrNoSession), errors.Is(err, operators.ErrExpired):
		code = http.StatusUnauthorized
	case errors.Is(err, devices.ErrUnknownCode), errors.Is(err, operators.ErrBadState), errors.Is(err, kvstore.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, devices.ErrAlreadyClaimed):
		code = http.StatusConflict
	case errors.Is(err, devices.ErrTooManyTries), errors.Is(err, fleet.ErrQuotaExceeded):
		code = http.StatusTooManyRequests
	default:
		slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	}
	http.Error(w, http.StatusText(code), code)
}
