//go:build js && wasm

// Command edge is the patient-facing Cloudflare Worker: portal sessions, SMS
// verification, appointment holds, refill status and the formulary cache.
package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/formulary"
	"github.com/canvasback/telehealth/internal/httpx"
	"github.com/canvasback/telehealth/internal/portal"
	"github.com/canvasback/telehealth/internal/quota"
	"github.com/canvasback/telehealth/internal/refill"
	"github.com/canvasback/telehealth/internal/slots"
	"github.com/canvasback/telehealth/internal/verify"
)

var (
	bindOnce sync.Once
	bindErr  error
	settings *edgekv.Namespace
)

// bind opens every KV binding once per isolate and applies environment
// overrides.
func bind(ctx context.Context) error {
	bindOnce.Do(func() {
		open := func(dst **edgekv.Namespace, binding, prefix string) {
			if bindErr != nil {
				return
			}
			*dst, bindErr = edgekv.Open(ctx, binding, prefix)
		}
		open(&portal.Store, "SESSIONS", "")
		open(&verify.Store, "VERIFY", "")
		open(&slots.Store, "HOLDS", "")
		open(&refill.Store, "REFILLS", "")
		open(&quota.Store, "QUOTA", "")
		open(&formulary.Store, "FORMULARY", "")
		open(&settings, "SETTINGS", "")
		if v := cloudflare.Getenv(ctx, "SESSION_TTL"); v != "" {
			if d, err := time.ParseDuration(v); err == nil && d >= time.Minute {
				portal.SessionTTL = d
			}
		}
	})
	return bindErr
}

// refreshConfig reloads the edge configuration from SETTINGS when the
// snapshot is older than a minute. It runs after the response is written.
func refreshConfig(ctx context.Context) {
	if !config.Stale(time.Minute) {
		return
	}
	httpx.Go(ctx, "config-refresh", func(context.Context) {
		raw, ok, err := settings.Lookup("config:edge")
		if err != nil || !ok {
			return
		}
		if _, err := config.Reload([]byte(raw), "kv:config:edge"); err != nil {
			log.Printf("config reload: %v", err)
		}
	})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

type app struct{ mux *http.ServeMux }

func (a app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := bind(r.Context()); err != nil {
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	if clinic := r.Header.Get("X-Clinic-ID"); clinic != "" && strings.HasPrefix(r.URL.Path, "/v1/refills") {
		if _, err := quota.Charge(clinic); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
	}
	if r.URL.Path == "/v1/sms/send" {
		ok, err := quota.AllowIP(clientIP(r), 5)
		if err != nil || !ok {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
	}
	a.mux.ServeHTTP(w, r)
	refreshConfig(r.Context())
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/login", httpx.Handle(portal.Login))
	mux.HandleFunc("/v1/session/touch", httpx.Handle(portal.Touch))
	mux.HandleFunc("/v1/session/clinic", httpx.Handle(portal.SwitchClinic))
	mux.HandleFunc("/v1/logout", httpx.Handle(portal.Logout))
	mux.HandleFunc("/v1/logout/everywhere", httpx.Handle(portal.RevokeAll))

	mux.HandleFunc("/v1/sms/send", httpx.Handle(verify.Send))
	mux.HandleFunc("/v1/sms/verify", httpx.Handle(verify.VerifyRedeem))

	mux.HandleFunc("/v1/slots/hold", httpx.Handle(slots.Hold))
	mux.HandleFunc("/v1/slots/extend", httpx.Handle(slots.Extend))
	mux.HandleFunc("/v1/slots/tentative", httpx.Handle(slots.Tentative))
	mux.HandleFunc("/v1/slots/reconfirm", httpx.Handle(slots.Reconfirm))
	mux.HandleFunc("/v1/slots/release", httpx.Handle(slots.Release))
	mux.HandleFunc("/v1/slots/series", httpx.Handle(slots.HoldSeries))

	mux.HandleFunc("/v1/refills", httpx.Handle(refill.Submit))
	mux.HandleFunc("/v1/refills/status", httpx.Handle(refill.Status))
	mux.HandleFunc("/v1/refills/cancel", httpx.Handle(refill.Cancel))
	mux.HandleFunc("/v1/refills/note", httpx.Handle(refill.AddNote))

	mux.HandleFunc("/v1/quota", httpx.Handle(quota.Current))
	mux.HandleFunc("/v1/admin/quota/reset", httpx.Handle(quota.Reset))

	mux.HandleFunc("/v1/formulary/drug", httpx.Handle(formulary.Lookup))
	mux.HandleFunc("/v1/formulary/suggest", httpx.Handle(formulary.Suggest))
	mux.HandleFunc("/v1/formulary/tier", httpx.Handle(formulary.Tier))
	mux.HandleFunc("/v1/formulary/class", httpx.Handle(formulary.ByClass))
	mux.HandleFunc("/v1/formulary/page", httpx.Handle(formulary.Page))
	mux.HandleFunc("/v1/formulary/classes", httpx.Handle(formulary.Classes))
	mux.HandleFunc("/v1/formulary/warm", httpx.Handle(formulary.Warm))

	workers.Serve(app{mux: mux})
}
