//go:build js && wasm

// Command edge is the devices' Worker: check-in, pairing, firmware manifest
// lookup and a few admin views, served at the edge from the FLEET KV
// namespace and the FLEET_DB D1 database.
package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	tokenLifetime = 30 * 24 * time.Hour
	seenTTL       = 7 * 24 * 3600
)

func fleetKV() (*kv.Namespace, error) { return cloudflare.NewKVNamespace("FLEET") }

func fleetDB() (*sql.DB, error) {
	c, err := d1.OpenConnector("FLEET_DB")
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/checkin", handleCheckin)
	mux.HandleFunc("POST /v1/pair", handlePair)
	mux.HandleFunc("POST /v1/alias", handleAlias)
	mux.HandleFunc("GET /v1/config", handleConfig)
	mux.HandleFunc("GET /v1/firmware/{model}/{channel}", handleFirmware)
	mux.HandleFunc("GET /v1/admin/seen", handleSeen)
	mux.HandleFunc("GET /v1/admin/tokens", handleTokens)
	cron.ScheduleTaskNonBlock(sweepSeen)
	workers.Serve(mux)
}
