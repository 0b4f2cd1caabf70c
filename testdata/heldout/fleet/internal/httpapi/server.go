// Package httpapi is the public fleet management API.
package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"time"

	"example.com/fleet/internal/auth"
	"example.com/fleet/internal/devices"
	"example.com/fleet/internal/legacy/provisioning"
	"example.com/fleet/internal/ota"
	"example.com/fleet/internal/ratelimit"
	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/storage"
	"example.com/fleet/internal/telemetry"
)

// PairingToken links a phone app to a device showing a code on its screen.
type PairingToken struct {
	Code     string    `json:"code"`
	DeviceID string    `json:"device_id"`
	Tenant   string    `json:"tenant"`
	Created  time.Time `json:"created"`
}

// Server holds every dependency the handlers need. Fields are set once in
// cmd/fleet-api and never reassigned.
type Server struct {
	Devices   *devices.Service
	Sessions  *auth.Sessions
	Lockout   *auth.Lockout
	Keys      *auth.Keys
	OTA       *ota.Service
	Enroll    *provisioning.Service
	Ingest    *telemetry.Ingester
	Usage     *telemetry.UsageTracker
	Pairing   *repo.Repo[PairingToken]
	Flags     storage.Store // short-lived per-device flags read on heartbeat
	Aliases   storage.Store
	Quota     *Quota
	Log       *slog.Logger
	OTASecret []byte

	// APILimiter guards the tenant API; DeviceLimiter guards device endpoints.
	APILimiter    ratelimit.Limiter
	DeviceLimiter ratelimit.Limiter

	// PasswordCheck verifies console credentials against the accounts DB.
	PasswordCheck func(ctx context.Context, user, password string) (tenant string, ok bool, err error)
}

// Routes builds the router with its middleware chain.
func (s *Server) Routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/devices", s.registerDevice)
	api.HandleFunc("GET /v1/devices/{id}", s.getDevice)
	api.HandleFunc("POST /v1/devices/{id}/tags", s.addTags)
	api.HandleFunc("PATCH /v1/devices/{id}/config", s.patchConfig)
	api.HandleFunc("POST /v1/devices/{id}/commands", s.enqueueCommand)
	api.HandleFunc("POST /v1/devices/{id}/locate", s.locate)
	api.HandleFunc("PUT /v1/devices/{id}/alias", s.setAlias)
	api.HandleFunc("POST /v1/pairing", s.startPairing)
	api.HandleFunc("POST /v1/rollouts/{id}/cohort", s.addCohort)

	dev := http.NewServeMux()
	dev.HandleFunc("POST /device/{id}/heartbeat", s.heartbeat)
	dev.HandleFunc("POST /device/telemetry", s.telemetry)
	dev.HandleFunc("GET /device/{id}/ota/{version}", s.otaToken)
	dev.HandleFunc("POST /device/enroll", s.enroll)

	root := http.NewServeMux()
	root.Handle("/v1/", chain(api, s.requireAPIKey, s.Quota.Middleware, RateLimit(s.APILimiter, tenantKey, s.Log)))
	root.Handle("/device/", chain(dev, RateLimit(s.DeviceLimiter, clientIP, s.Log)))
	root.HandleFunc("POST /login", s.login)
	return chain(root, Recover(s.Log), AccessLog(s.Log))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func decode(r *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, devices.ErrNotFound), errors.Is(err, ota.ErrUnknownRollout):
		writeErr(w, http.StatusNotFound, err.Error())
	case errors.Is(err, devices.ErrSerialTaken), errors.Is(err, devices.ErrConflict),
		errors.Is(err, provisioning.ErrAlreadyClaimed), errors.Is(err, errAliasTaken):
		writeErr(w, http.StatusConflict, err.Error())
	case errors.Is(err, devices.ErrInvalid), errors.Is(err, provisioning.ErrBadCode):
		writeErr(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, provisioning.ErrTooManyTries):
		writeErr(w, http.StatusTooManyRequests, err.Error())
	default:
		s.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		writeErr(w, http.StatusInternalServerError, "internal error")
	}
}

func (s *Server) registerDevice(w http.ResponseWriter, r *http.Request) {
	var req devices.RegisterRequest
	if err := decode(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	req.Owner = tenantFrom(r.Context())
	d, err := s.Devices.Register(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	d, err := s.Devices.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) addTags(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	d, err := s.Devices.AddTags(r.Context(), r.PathValue("id"), body.Tags...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request) {
	var patch map[string]string
	if err := decode(r, &patch); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	d, err := s.Devices.PatchConfig(r.Context(), r.PathValue("id"), patch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) enqueueCommand(w http.ResponseWriter, r *http.Request) {
	var cmd devices.Command
	if err := decode(r, &cmd); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	cmd.DeviceID = r.PathValue("id")
	if err := s.Devices.EnqueueCommand(r.Context(), cmd); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// locate asks the device to blink its LED; the device checks the flag on its
// next heartbeat.
func (s *Server) locate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.Flags.Set(r.Context(), "locate:"+id, []byte("1"), 30*time.Second); err != nil { // EXPECT kvttl
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

var (
	aliasRE       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`)
	errAliasTaken = errors.New("alias already in use")
)

// setAlias gives a device a human-friendly hostname under the tenant's
// fleet domain.
func (s *Server) setAlias(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Alias string `json:"alias"`
	}
	if err := decode(r, &body); err != nil || !aliasRE.MatchString(body.Alias) {
		writeErr(w, http.StatusBadRequest, "alias must be 3-63 lowercase letters, digits or dashes")
		return
	}
	if err := s.claimAlias(r.Context(), tenantFrom(r.Context()), body.Alias, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) claimAlias(ctx context.Context, tenant, alias, deviceID string) error {
	key := "alias:" + tenant + ":" + alias
	if _, err := s.Aliases.Get(ctx, key); err == nil {
		return errAliasTaken
	} else if !storage.IsNotFound(err) {
		return err
	}
	return s.Aliases.Set(ctx, key, []byte(deviceID), 0) // EXPECT kvrace
}

func (s *Server) startPairing(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code     string `json:"code"`
		DeviceID string `json:"device_id"`
	}
	if err := decode(r, &body); err != nil || body.Code == "" {
		writeErr(w, http.StatusBadRequest, "code and device_id required")
		return
	}
	tok := PairingToken{Code: body.Code, DeviceID: body.DeviceID, Tenant: tenantFrom(r.Context()), Created: time.Now().UTC()}
	if err := s.Pairing.Put(r.Context(), body.Code, tok); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tok)
}

func (s *Server) addCohort(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Devices []string `json:"devices"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	ro, err := s.OTA.AddToCohort(r.Context(), r.PathValue("id"), body.Devices...)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ro)
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request) {
	var hb devices.Heartbeat
	if err := decode(r, &hb); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	id := r.PathValue("id")
	if err := s.Devices.Heartbeat(r.Context(), id, clientIP(r), hb); err != nil {
		s.fail(w, r, err)
		return
	}
	_, err := s.Flags.Get(r.Context(), "locate:"+id)
	writeJSON(w, http.StatusOK, map[string]bool{"locate": err == nil})
}

func (s *Server) telemetry(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		writeErr(w, http.StatusBadRequest, "unreadable body")
		return
	}
	if err := s.Ingest.Handle(r.Context(), raw); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) otaToken(w http.ResponseWriter, r *http.Request) {
	id, version := r.PathValue("id"), r.PathValue("version")
	var (
		tok ota.DownloadToken
		err error
	)
	if r.URL.Query().Get("resume") == "1" {
		tok, err = s.OTA.IssueResumeToken(r.Context(), s.OTASecret, id, version)
	} else {
		tok, err = s.OTA.IssueDownloadToken(r.Context(), s.OTASecret, id, version)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.OTA.RecordDownload(r.Context(), version); err != nil {
		s.Log.WarnContext(r.Context(), "download tally failed", "version", version, "err", err)
	}
	writeJSON(w, http.StatusOK, tok)
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code   string `json:"code"`
		Serial string `json:"serial"`
	}
	if err := decode(r, &body); err != nil || body.Code == "" || body.Serial == "" {
		writeErr(w, http.StatusBadRequest, "code and serial required")
		return
	}
	rcpt, err := s.Enroll.Redeem(r.Context(), body.Code, body.Serial)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rcpt)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	ctx := r.Context()
	if locked, err := s.Lockout.Locked(ctx, ip); err != nil {
		s.fail(w, r, err)
		return
	} else if locked {
		writeErr(w, http.StatusTooManyRequests, "too many failed logins, try again later")
		return
	}
	var body struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	tenant, ok, err := s.PasswordCheck(ctx, body.User, body.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		if err := s.Lockout.RecordFailure(ctx, ip); err != nil {
			s.Log.WarnContext(ctx, "could not record login failure", "ip", ip, "err", err)
		}
		writeErr(w, http.StatusUnauthorized, "invalid credentials")
		return
	}
	_ = s.Lockout.Reset(ctx, ip)
	sess, err := s.Sessions.Create(ctx, body.User, tenant)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: sess.Token, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Path: "/"})
	writeJSON(w, http.StatusOK, map[string]string{"tenant": tenant})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// constantTimeEqual is used for the static admin token.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
