//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the patient-facing
// booking pages. It serves clinician availability from KV and the Cache API,
// takes slot holds against D1, and handles the video vendor's OAuth and
// webhooks.
package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

// App holds the Worker's bindings.
type App struct {
	KV *kv.Namespace
	DB *sql.DB
}

// New opens the AVAILABILITY namespace and the CLINIC_DB database.
func New() (*App, error) {
	ns, err := kv.NewNamespace("AVAILABILITY")
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("d1", "CLINIC_DB")
	if err != nil {
		return nil, err
	}
	return &App{KV: ns, DB: db}, nil
}

// Handler returns the Worker's router.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /availability/{clinician}/{day}", a.availability)
	mux.HandleFunc("POST /holds", a.createHold)
	mux.HandleFunc("POST /clinicians/{id}/vanity", a.claimVanity)
	mux.HandleFunc("GET /oauth/video/callback", a.videoOAuthCallback)
	mux.HandleFunc("POST /webhooks/video", a.videoWebhook)
	mux.HandleFunc("GET /config", a.config)
	return a.withMaintenance(mux)
}

func (a *App) withMaintenance(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := a.KV.GetString("flag:maintenance", &kv.GetOptions{CacheTTL: 60})
		if err == nil && v != "" && v != "off" { // EXPECT kvnull
			w.Header().Set("Retry-After", "600")
			http.Error(w, "Booking is briefly unavailable for maintenance.", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// getString reads key and reports whether it exists. The KV binding resolves
// a missing key to JS null, which syscall/js renders as "<null>".
func getString(ns *kv.Namespace, key string, opts *kv.GetOptions) (string, bool, error) {
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

// PortalConfig is the public configuration the booking pages load.
type PortalConfig struct {
	SupportPhone   string   `json:"support_phone"`
	States         []string `json:"states"`
	IntakeVersion  string   `json:"intake_version"`
	BookingEnabled bool     `json:"booking_enabled"`
}

func (a *App) config(w http.ResponseWriter, r *http.Request) {
	v, err := a.KV.GetString("config:portal", &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "config unavailable", http.StatusBadGateway)
		return
	}
	var cfg PortalConfig
	if err := json.Unmarshal([]byte(v), &cfg); err != nil {
		http.Error(w, "config unavailable", http.StatusBadGateway)
		return
	}
	cfg.SupportPhone = cloudflare.Getenv("SUPPORT_PHONE")
	writeJSON(w, http.StatusOK, cfg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

func colo(r *http.Request) string {
	ray := r.Header.Get("CF-Ray")
	if i := strings.LastIndexByte(ray, '-'); i >= 0 {
		return ray[i+1:]
	}
	return "unknown"
}

func dayKey(kind, clinician, day string) string {
	return fmt.Sprintf("%s:%s:%s", kind, clinician, day)
}
