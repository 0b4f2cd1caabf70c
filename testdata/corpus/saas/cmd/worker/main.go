// Command worker is the edge Worker of the SaaS platform: API gateway,
// settings page, webhook receiver and cron housekeeping.
package main

import (
	"context"
	"encoding/json"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/saas/internal/abtest"
	"example.com/saas/internal/apikeys"
	"example.com/saas/internal/flags"
	"example.com/saas/internal/invites"
	"example.com/saas/internal/jobs"
	"example.com/saas/internal/metering"
	"example.com/saas/internal/quota"
	"example.com/saas/internal/ratelimit"
	"example.com/saas/internal/sessions"
	"example.com/saas/internal/settings"
	"example.com/saas/internal/tenants"
	"example.com/saas/internal/verify"
	"example.com/saas/internal/webhooks"
)

type app struct {
	flags    *flags.Service
	ab       *abtest.Assigner
	keys     *apikeys.Service
	ipLimit  *ratelimit.IPLimiter
	tnLimit  *ratelimit.TenantLimiter
	quota    *quota.Checker
	meter    *metering.Meter
	dedupe   *webhooks.Deduper
	hooks    *webhooks.Registry
	invites  *invites.Service
	verifier *verify.Verifier
	sessions *sessions.Manager
	dir      *tenants.Directory
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func newApp() *app {
	return &app{
		flags:    must(flags.New()),
		ab:       must(abtest.New()),
		keys:     must(apikeys.New()),
		ipLimit:  must(ratelimit.NewIP()),
		tnLimit:  must(ratelimit.NewTenant()),
		quota:    must(quota.New()),
		meter:    must(metering.New()),
		dedupe:   must(webhooks.NewDeduper()),
		hooks:    must(webhooks.NewRegistry()),
		invites:  must(invites.New()),
		verifier: must(verify.New()),
		sessions: must(sessions.NewManager()),
		dir:      must(tenants.NewDirectory()),
	}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// api authenticates an API key, enforces limits and quotas, and meters usage.
func (a *app) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r)
		if blocked, _ := a.ipLimit.Blocked(ip); blocked {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if penalized, _ := a.ipLimit.Penalized(ip); penalized {
			http.Error(w, "complete the challenge first", http.StatusForbidden)
			return
		}
		if ok, err := a.ipLimit.Allow(ip, time.Now()); err == nil && !ok {
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		rec, err := a.keys.Verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if ok, err := a.tnLimit.Allow(rec.Tenant, time.Now()); err == nil && !ok {
			http.Error(w, "tenant rate limit", http.StatusTooManyRequests)
			return
		}
		if err := a.quota.Consume(r.Context(), rec.Tenant, 1); err == quota.ErrExceeded {
			http.Error(w, "quota exceeded", http.StatusPaymentRequired)
			return
		}
		if rand.IntN(50) == 0 {
			cloudflare.WaitUntil(func() { _ = a.keys.Touch(rec, time.Now()) })
		}
		a.meter.Record(rec.Tenant, "api_calls", 1)
		r.Header.Set("X-Tenant-ID", rec.Tenant)
		next(w, r)
	}
}

func (a *app) handleFlags(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get("X-Tenant-ID")
	set, err := a.flags.Load(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	user := r.URL.Query().Get("user")
	out := map[string]bool{}
	for name := range set.Enabled {
		out[name] = set.On(name, user)
	}
	for name := range set.Rollout {
		out[name] = set.On(name, user)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *app) handleAssign(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get("X-Tenant-ID")
	cfg, err := a.ab.LoadConfig(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	got, err := a.ab.AssignAll(cfg, r.URL.Query().Get("user"))
	if err != nil {
		log.Printf("assign: %v", err)
	}
	writeJSON(w, http.StatusOK, got)
}

func (a *app) handleWebhook(w http.ResponseWriter, r *http.Request) {
	provider := strings.TrimPrefix(r.URL.Path, "/hooks/")
	id := r.Header.Get("Webhook-Id")
	if id == "" {
		http.Error(w, "missing Webhook-Id", http.StatusBadRequest)
		return
	}
	first, err := a.dedupe.Claim(provider, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if !first {
		w.WriteHeader(http.StatusOK)
		return
	}
	_ = a.dedupe.Lock(provider, id, "edge")
	defer a.dedupe.Unlock(provider, id)
	w.WriteHeader(http.StatusAccepted)
}

func (a *app) handleInviteAccept(w http.ResponseWriter, r *http.Request) {
	if ok, _ := a.ipLimit.Burst(clientIP(r), "invite"); !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	inv, err := a.invites.Redeem(r.FormValue("code"), r.FormValue("email"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := a.quota.ReserveSeats(r.Context(), inv.Tenant, 1); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	sid, err := a.sessions.Create(r.FormValue("email"), inv.Tenant, inv.Role)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, sessions.Cookie(sid, 12*time.Hour))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) handleInviteResend(w http.ResponseWriter, r *http.Request) {
	code := r.FormValue("code")
	if _, err := a.invites.Peek(code); err != nil {
		http.NotFound(w, r)
		return
	}
	if err := a.invites.MarkResent(code); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *app) handleVerify(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		code, err := a.verifier.Send(r.FormValue("email"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		log.Printf("verification code queued for mailer (%d digits)", len(code))
		w.WriteHeader(http.StatusAccepted)
	case http.MethodPut:
		if err := a.verifier.Check(r.FormValue("email"), r.FormValue("code")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *app) handleStatus(w http.ResponseWriter, r *http.Request) {
	tenant, err := a.dir.Resolve(r.Context(), r.Host)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	banner, _ := a.dir.Banner(tenant)
	cloudflare.WaitUntil(func() { _ = a.meter.CountStatusView(tenant) })
	writeJSON(w, http.StatusOK, map[string]string{"tenant": tenant, "banner": banner})
}

func main() {
	a := newApp()
	j := must(jobs.New())

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/flags", a.api(a.handleFlags))
	mux.HandleFunc("/v1/assign", a.api(a.handleAssign))
	mux.Handle("/settings", must(settings.NewHandler()))
	mux.Handle("/settings.json", must(settings.NewHandler()))
	mux.HandleFunc("/hooks/", a.handleWebhook)
	mux.HandleFunc("/invite/accept", a.handleInviteAccept)
	mux.HandleFunc("/invite/resend", a.handleInviteResend)
	mux.HandleFunc("/verify", a.handleVerify)
	mux.HandleFunc("/status", a.handleStatus)

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return j.Run(ctx)
	})
	workers.Serve(mux)
}
