// Package httpapi exposes the services over HTTP.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"example.com/cobalt/internal/apikeys"
	"example.com/cobalt/internal/cron"
	"example.com/cobalt/internal/devices"
	"example.com/cobalt/internal/fleet"
	"example.com/cobalt/internal/pairing"
	"example.com/cobalt/internal/reqctx"
	"example.com/cobalt/internal/shadow"
	"example.com/cobalt/internal/telemetry"
)

// Services is everything the API calls.
type Services struct {
	Devices   *devices.Service
	Shadows   *shadow.Service
	Pairing   *pairing.Service
	Keys      *apikeys.Service
	Fleet     *fleet.Service
	Telemetry *telemetry.Pipeline
	Cron      *cron.Scheduler
	Tenant    string
}

type handler func(w http.ResponseWriter, r *http.Request) error

type route struct {
	scope string
	h     handler
}

// New returns the API handler.
func New(s Services, log *slog.Logger) http.Handler {
	routes := map[string]route{
		"POST /v1/devices":               {"devices:write", s.registerDevice},
		"GET /v1/devices":                {"devices:read", s.listDevices},
		"PATCH /v1/devices/{id}/desired": {"devices:write", s.patchDesired},
		"POST /v1/pairing/redeem":        {"devices:write", s.redeem},
		"POST /v1/telemetry":             {"telemetry:write", s.ingest},
		"POST /v1/cron/{job}":            {"admin", s.trigger},
		"GET /v1/fleet/summary":          {"devices:read", s.summary},
	}
	mux := http.NewServeMux()
	for pattern, rt := range routes {
		mux.Handle(pattern, s.wrap(pattern, rt, log))
	}
	return mux
}

func (s Services) wrap(pattern string, rt route, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id [8]byte
		_, _ = rand.Read(id[:])
		ctx := reqctx.WithTenant(reqctx.WithRequestID(r.Context(), hex.EncodeToString(id[:])), s.Tenant)
		presented := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		key, err := s.Keys.Authenticate(ctx, presented)
		if err != nil {
			writeErr(ctx, w, log, err)
			return
		}
		p := reqctx.Principal{KeyID: string(key.ID), Owner: key.Owner}
		for _, sc := range key.Scopes {
			p.Scopes = append(p.Scopes, string(sc))
		}
		if !p.Has(rt.scope) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		ctx = reqctx.WithPrincipal(ctx, p)
		if err := s.Fleet.Touch(ctx, pattern); err != nil {
			log.DebugContext(ctx, "activity marker failed", "err", err)
		}
		if err := rt.h(w, r.WithContext(ctx)); err != nil {
			writeErr(ctx, w, log, err)
		}
	})
}

func writeErr(ctx context.Context, w http.ResponseWriter, log *slog.Logger, err error) {
	code := http.StatusInternalServerError
	for target, c := range statusOf {
		if errors.Is(err, target) {
			code = c
		}
	}
	if code == http.StatusInternalServerError {
		log.ErrorContext(ctx, "request failed", "err", err)
	}
	http.Error(w, http.StatusText(code), code)
}

var errBadRequest = errors.New("bad request")

var statusOf = map[error]int{
	apikeys.ErrUnauthorized: http.StatusUnauthorized, apikeys.ErrExpired: http.StatusUnauthorized,
	devices.ErrUnknownDevice: http.StatusNotFound, shadow.ErrNoShadow: http.StatusNotFound,
	devices.ErrSerialTaken: http.StatusConflict, shadow.ErrPreconditionFailed: http.StatusPreconditionFailed,
	pairing.ErrTooManyAttempts: http.StatusTooManyRequests, pairing.ErrInvalidCode: http.StatusBadRequest,
	errBadRequest: http.StatusBadRequest,
}

func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return errors.Join(errBadRequest, err)
	}
	return nil
}

func reply(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

func principal(r *http.Request) reqctx.Principal {
	p, _ := reqctx.PrincipalFrom(r.Context())
	return p
}

func (s Services) registerDevice(w http.ResponseWriter, r *http.Request) error {
	var req devices.RegisterRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	req.Owner = principal(r).Owner
	d, err := s.Devices.Register(r.Context(), req)
	if err != nil {
		return err
	}
	return reply(w, http.StatusCreated, d)
}

func (s Services) listDevices(w http.ResponseWriter, r *http.Request) error {
	items, next, err := s.Devices.List(r.Context(), r.URL.Query().Get("cursor"), 100)
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, map[string]any{"devices": items, "cursor": next})
}

func (s Services) patchDesired(w http.ResponseWriter, r *http.Request) error {
	var patch map[string]any
	if err := decode(r, &patch); err != nil {
		return err
	}
	sh, err := s.Shadows.SetDesired(r.Context(), r.PathValue("id"), r.Header.Get("If-Match"), patch)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", sh.ETag)
	return reply(w, http.StatusOK, sh)
}

func (s Services) redeem(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Code string `json:"code"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	sess, err := s.Pairing.Redeem(r.Context(), principal(r).Owner, body.Code)
	if err != nil {
		return err
	}
	return reply(w, http.StatusCreated, sess)
}

func (s Services) ingest(w http.ResponseWriter, r *http.Request) error {
	var rs []telemetry.Reading
	if err := decode(r, &rs); err != nil {
		return err
	}
	if err := s.Telemetry.Submit(r.Context(), principal(r).KeyID, rs); err != nil {
		return errors.Join(errBadRequest, err)
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s Services) trigger(w http.ResponseWriter, r *http.Request) error {
	if err := s.Cron.Trigger(r.Context(), r.PathValue("job")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s Services) summary(w http.ResponseWriter, r *http.Request) error {
	sum, ok, err := s.Fleet.Current(r.Context())
	if err != nil {
		return err
	}
	if !ok {
		return reply(w, http.StatusAccepted, map[string]string{"status": "building"})
	}
	return reply(w, http.StatusOK, sum)
}
