//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the fleet: devices
// provision, heartbeat and fetch manifests here, the console's session check
// runs here, and a queue consumer and cron triggers keep the edge view of
// the fleet fresh. It reads the same KV namespace as fleetd through the
// FLEET_KV binding.
package edge

import (
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const binding = "FLEET_KV"

// requestsPerMinute is the per-client budget of the device API.
const requestsPerMinute = 120

func namespace() (*kv.Namespace, error) {
	return kv.NewNamespace(binding)
}

// isMissing reports whether GetString found no value: syscall/js renders
// the JavaScript null that KV returns for a missing key as "<null>".
func isMissing(v string) bool {
	return v == "<null>"
}

// Mux returns the Worker's HTTP routes.
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/firmware/{channel}", limited(firmwareManifest))
	mux.HandleFunc("GET /v1/devices/{id}/config", limited(deviceConfig))
	mux.HandleFunc("POST /v1/provision", limited(provision))
	mux.HandleFunc("POST /v1/devices/{id}/pair", limited(pair))
	mux.HandleFunc("POST /v1/devices/{id}/heartbeat", limited(heartbeat))
	mux.HandleFunc("POST /v1/devices/{id}/crashdump/reserve", limited(reserveCrashSlot))
	mux.HandleFunc("POST /console/session", limited(consoleSignIn))
	mux.HandleFunc("GET /console/me", limited(consoleMe))
	return mux
}

// handler is an edge route that works on the fleet namespace.
type handler func(w http.ResponseWriter, r *http.Request, ns *kv.Namespace)

// limited opens the namespace and applies the per-client request budget of
// the current minute.
func limited(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := namespace()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		client := r.Header.Get("CF-Connecting-IP")
		minute := time.Now().Unix() / 60
		key := "ratelimit:" + client + ":" + strconv.FormatInt(minute, 10)
		n := 0
		if v, err := ns.GetString(key, nil); err == nil && !isMissing(v) {
			n, _ = strconv.Atoi(v)
		}
		if n >= requestsPerMinute {
			w.Header().Set("Retry-After", strconv.FormatInt(60-time.Now().Unix()%60, 10))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		if err := ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter|kvrace
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		next(w, r, ns)
	}
}
