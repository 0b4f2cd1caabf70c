// Package httpapi serves the fleet console and device APIs.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bittern/internal/device"
	"bittern/internal/enroll"
	"bittern/internal/kvstore"
	"bittern/internal/rollout"
	"bittern/internal/session"
	"bittern/internal/telemetry"
	"bittern/internal/tenant"
)

// Server holds the services behind the HTTP API.
type Server struct {
	Enroll   *enroll.Service
	Devices  *device.Registry
	Sessions *session.Manager
	Guard    *session.Guard
	Limiter  *telemetry.Limiter
	Quota    *telemetry.Quota
	Tenants  *tenant.Service
	Rollouts *rollout.Service
	Status   kvstore.Writer
	Verify   func(ctx context.Context, operator, password string) (tenant string, roles []string, err error)
	Log      *log.Logger
}

// Routes returns the API handler.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", s.redeem)
	mux.HandleFunc("POST /v1/login", s.login)
	mux.HandleFunc("POST /v1/logout", s.logout)
	mux.HandleFunc("POST /v1/telemetry/{tenant}/{device}", s.ingest)
	mux.HandleFunc("GET /v1/tenants/{tenant}/devices", s.listDevices)
	mux.HandleFunc("PATCH /v1/tenants/{tenant}/features", s.patchFeatures)
	mux.HandleFunc("POST /v1/rollouts/pause", s.pauseRollouts)
	mux.HandleFunc("POST /v1/rollouts/{tenant}/{fw}/installed", s.installed)
	return mux
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	var auth *session.AuthError
	var redeem *enroll.RedeemError
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &auth):
		status = http.StatusUnauthorized
	case errors.As(err, &redeem):
		status = http.StatusForbidden
	default:
		s.Log.Printf("%v", err)
	}
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) operator(r *http.Request) (session.Session, error) {
	c, err := r.Cookie("fleet_session")
	if err != nil {
		return session.Session{}, &session.AuthError{Reason: "no session cookie"}
	}
	return s.Sessions.Validate(r.Context(), c.Value)
}

func (s *Server) redeem(w http.ResponseWriter, r *http.Request) {
	var req struct{ Tenant, Code, Serial string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	c, err := s.Enroll.Redeem(r.Context(), req.Tenant, req.Code, req.Serial, ip)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, map[string]string{"tenant": c.Tenant, "model": c.Model})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	operator, password := r.FormValue("operator"), r.FormValue("password")
	if locked, err := s.Guard.Locked(ctx, operator); err != nil || locked {
		http.Error(w, "account locked", http.StatusTooManyRequests)
		return
	}
	tenantID, roles, err := s.Verify(ctx, operator, password)
	if err != nil {
		if ferr := s.Guard.Fail(ctx, operator); ferr != nil {
			s.Log.Printf("login guard: %v", ferr)
		}
		s.fail(w, &session.AuthError{Reason: "bad credentials", Err: err})
		return
	}
	s.Guard.Succeeded(operator)
	sess, refresh, err := s.Sessions.Create(ctx, operator, tenantID, roles)
	if err != nil {
		s.fail(w, err)
		return
	}
	stamp := []byte(operator + " " + time.Now().UTC().Format(time.RFC3339))
	if err := s.Status.Put(ctx, "console/last-login", stamp, 0); err != nil { // EXPECT kvhotkey
		s.Log.Printf("status: %v", err)
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: sess.ID, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, map[string]string{"refresh_token": refresh})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.operator(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := s.Sessions.Logout(r.Context(), sess); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tenantID, dev := r.PathValue("tenant"), r.PathValue("device")
	ok, err := s.Limiter.Allow(ctx, tenantID, dev)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !ok {
		if err := s.Limiter.Cooldown(ctx, tenantID, dev, "rate limit"); err != nil {
			s.Log.Printf("cooldown %s: %v", dev, err)
		}
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	n, _ := strconv.ParseInt(r.Header.Get("X-Batch-Size"), 10, 64)
	if !s.Quota.Add(tenantID, dev, max(n, 1)) {
		http.Error(w, "daily quota exhausted", http.StatusTooManyRequests)
		return
	}
	now := time.Now()
	s.Devices.Seen(tenantID, dev, now)
	if fw := r.Header.Get("X-Firmware"); fw != "" {
		s.Devices.ReportFirmware(ctx, tenantID, dev, fw)
	}
	if err := s.Status.Put(ctx, "telemetry/last-ingest", []byte(now.UTC().Format(time.RFC3339Nano)), 0); err != nil { // EXPECT kvhotkey
		s.Log.Printf("status: %v", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	if _, err := s.operator(r); err != nil {
		s.fail(w, err)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	items, next, err := s.Devices.Page(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, map[string]any{"devices": items, "cursor": next})
}

func (s *Server) patchFeatures(w http.ResponseWriter, r *http.Request) {
	sess, err := s.operator(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	var flags map[string]bool
	if err := json.NewDecoder(r.Body).Decode(&flags); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.Tenants.SetFeatures(r.Context(), r.PathValue("tenant"), flags, sess.Operator); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pauseRollouts(w http.ResponseWriter, r *http.Request) {
	sess, err := s.operator(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := s.Rollouts.Pause(r.Context(), sess.Operator); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// installed is called by the update server with the serials that finished
// installing a firmware since its last call.
func (s *Server) installed(w http.ResponseWriter, r *http.Request) {
	var serials []string
	if err := json.NewDecoder(r.Body).Decode(&serials); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	fw := strings.TrimSpace(r.PathValue("fw"))
	if err := s.Rollouts.Complete(r.Context(), r.PathValue("tenant"), fw, serials...); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
