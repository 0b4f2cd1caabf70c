package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/edgeconf/internal/apikeys"
	"example.com/edgeconf/internal/hostnames"
	"example.com/edgeconf/internal/quota"
	"example.com/edgeconf/internal/rollout"
)

type api struct {
	flags     *rollout.Service
	exposures *rollout.ExposureTracker
	keys      *apikeys.Service
	meter     *quota.UsageMeter
	hosts     *hostnames.Registry
	log       *slog.Logger
}

type ctxKey struct{}

func tenantFrom(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

func (a *api) routes(mux *http.ServeMux) {
	authed := func(h http.HandlerFunc) http.Handler { return a.authenticate(a.metered(h)) }

	mux.Handle("POST /v1/flags", authed(a.createFlag))
	mux.Handle("PUT /v1/flags/{key}", authed(a.replaceFlag))
	mux.Handle("POST /v1/flags/{key}/rollout", authed(a.setRollout))
	mux.Handle("POST /v1/flags/{key}/targets", authed(a.addTargets))
	mux.Handle("POST /v1/flags/{key}/toggle", authed(a.toggle))
	mux.Handle("POST /v1/flags/{key}/override", authed(a.override))
	mux.Handle("POST /v1/freeze", authed(a.freeze))
	mux.Handle("POST /v1/publish", authed(a.publish))
	mux.Handle("POST /v1/keys", authed(a.rotateKey))
	mux.Handle("POST /v1/hostnames/{host}", authed(a.claimHostname))
	mux.Handle("POST /v1/hostnames/{host}/challenge", authed(a.challenge))
	mux.HandleFunc("POST /ingest/exposures", a.ingestExposures)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

// authenticate resolves the bearer key and stores the tenant in the context.
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "missing bearer key", http.StatusUnauthorized)
			return
		}
		ck, err := a.keys.Authenticate(r.Context(), secret, r.Header.Get("Cf-Connecting-Ip"))
		if errors.Is(err, apikeys.ErrLockedOut) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		if err != nil {
			http.Error(w, "invalid key", http.StatusUnauthorized)
			return
		}
		r.Header.Set("X-Tenant-ID", ck.TenantID)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ck.TenantID)))
	})
}

// metered charges one call against the tenant's monthly quota.
func (a *api) metered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.meter.Consume(r.Context(), tenantFrom(r.Context()), 1); err != nil {
			if errors.Is(err, quota.ErrQuotaExceeded) {
				http.Error(w, err.Error(), http.StatusPaymentRequired)
				return
			}
			a.log.ErrorContext(r.Context(), "usage metering failed", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		http.Error(w, "malformed body: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, rollout.ErrFlagNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, rollout.ErrFlagExists), errors.Is(err, hostnames.ErrHostnameTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, rollout.ErrFrozen):
		http.Error(w, err.Error(), http.StatusLocked)
	case errors.Is(err, rollout.ErrBadRollout), errors.Is(err, rollout.ErrInPast):
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	default:
		a.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func actor(r *http.Request) string {
	if u := r.Header.Get("X-Actor"); u != "" {
		return u
	}
	return "api"
}

func (a *api) createFlag(w http.ResponseWriter, r *http.Request) {
	var f rollout.Flag
	if !decode(w, r, &f) {
		return
	}
	if err := a.flags.Create(r.Context(), tenantFrom(r.Context()), f, actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (a *api) replaceFlag(w http.ResponseWriter, r *http.Request) {
	var f rollout.Flag
	if !decode(w, r, &f) {
		return
	}
	f.Key = r.PathValue("key")
	if err := a.flags.Replace(r.Context(), tenantFrom(r.Context()), f, actor(r)); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) setRollout(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Percent int `json:"percent"`
	}
	if !decode(w, r, &body) {
		return
	}
	f, err := a.flags.SetRollout(r.Context(), tenantFrom(r.Context()), r.PathValue("key"), body.Percent, actor(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	_ = json.NewEncoder(w).Encode(f)
}

func (a *api) addTargets(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []string `json:"ids"`
	}
	if !decode(w, r, &body) {
		return
	}
	if err := a.flags.AddTargets(r.Context(), tenantFrom(r.Context()), r.PathValue("key"), body.IDs...); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) toggle(w http.ResponseWriter, r *http.Request) {
	if err := a.flags.Toggle(r.Context(), tenantFrom(r.Context()), r.PathValue("key")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) override(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Value  bool      `json:"value"`
		Reason string    `json:"reason"`
		EndsAt time.Time `json:"ends_at"`
		Pin    bool      `json:"pin"`
	}
	if !decode(w, r, &body) {
		return
	}
	o := rollout.Override{Flag: r.PathValue("key"), Value: body.Value, Reason: body.Reason, EndsAt: body.EndsAt}
	var err error
	if body.Pin {
		err = a.flags.PinOverride(r.Context(), tenantFrom(r.Context()), o)
	} else {
		err = a.flags.ScheduleOverride(r.Context(), tenantFrom(r.Context()), o)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) freeze(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string    `json:"reason"`
		Until  time.Time `json:"until"`
	}
	if !decode(w, r, &body) {
		return
	}
	if err := a.flags.FreezeUntil(r.Context(), tenantFrom(r.Context()), body.Reason, body.Until); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) publish(w http.ResponseWriter, r *http.Request) {
	v, err := a.flags.Publish(r.Context(), tenantFrom(r.Context()))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"version": v})
}

func (a *api) rotateKey(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Scopes   []string `json:"scopes"`
		ValidFor string   `json:"valid_for"`
	}
	if !decode(w, r, &body) {
		return
	}
	var validFor time.Duration
	if body.ValidFor != "" {
		d, err := time.ParseDuration(body.ValidFor)
		if err != nil {
			http.Error(w, "bad valid_for", http.StatusBadRequest)
			return
		}
		validFor = d
	}
	secret, err := a.keys.Rotate(r.Context(), tenantFrom(r.Context()), body.Scopes, validFor)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"secret": secret})
}

func (a *api) claimHostname(w http.ResponseWriter, r *http.Request) {
	if err := a.hosts.Claim(r.Context(), r.PathValue("host"), tenantFrom(r.Context())); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (a *api) challenge(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("host")
	if _, err := a.hosts.RecordVerifyAttempt(r.Context(), host); err != nil {
		if errors.Is(err, hostnames.ErrTooManyAttempts) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		a.fail(w, r, err)
		return
	}
	token, err := a.hosts.IssueChallenge(r.Context(), host)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"token": token})
}

func (a *api) ingestExposures(w http.ResponseWriter, r *http.Request) {
	var batch []rollout.Exposure
	if !decode(w, r, &batch) {
		return
	}
	for _, e := range batch {
		if err := a.exposures.Record(r.Context(), e); err != nil {
			a.log.WarnContext(r.Context(), "exposure dropped", "tenant", e.TenantID, "err", err)
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// originLookup asks the origin service (which fronts the SaaS custom
// hostnames API) where a hostname should be routed.
func originLookup(base string) hostnames.OriginLookup {
	hc := &http.Client{Timeout: 3 * time.Second}
	return func(ctx context.Context, hostname string) (hostnames.Origin, error) {
		u := strings.TrimRight(base, "/") + "/origins/" + url.PathEscape(hostname)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return hostnames.Origin{}, err
		}
		res, err := hc.Do(req)
		if err != nil {
			return hostnames.Origin{}, err
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotFound {
			return hostnames.Origin{}, hostnames.ErrUnknownHostname
		}
		if res.StatusCode != http.StatusOK {
			return hostnames.Origin{}, fmt.Errorf("origin service: status %d", res.StatusCode)
		}
		var o hostnames.Origin
		return o, json.NewDecoder(res.Body).Decode(&o)
	}
}
