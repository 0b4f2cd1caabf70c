//go:build js && wasm

// Command garganey-worker is the edge Worker in front of the platform:
// public and private feeds, download redirects with measurement, the
// creator dashboard login, and the sponsor checkout.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/edgekv"
	"example.com/garganey/internal/kvstore"
)

// Bindings declared in wrangler.toml.
const (
	bindingFeeds     = "FEEDS"
	bindingSessions  = "SESSIONS"
	bindingAnalytics = "ANALYTICS"
	bindingSponsors  = "SPONSORS"
)

// kvNull is what GetString returns for a key that does not exist.
const kvNull = "<null>"

// regionBindings sends analytics writes to the namespace of the listener's
// continent; anything else uses the default binding.
var regionBindings = map[string]string{
	"EU": "ANALYTICS_EU",
	"NA": "ANALYTICS_NA",
	"SA": "ANALYTICS_NA",
	"AS": "ANALYTICS_AP",
	"OC": "ANALYTICS_AP",
}

var stores = kvstore.NewRegistry()

func main() {
	stores.Register("kv", edgekv.Open)
	stores.Register("mem", kvstore.OpenMem)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /feeds/{show}", handleFeed)
	mux.HandleFunc("GET /shows/{show}/episodes", handleEpisodeList)
	mux.HandleFunc("GET /p/{token}/feed.xml", handlePrivateFeed)
	mux.HandleFunc("GET /directory", handleDirectory)
	mux.HandleFunc("GET /dl/{episode}", handleDownload)
	mux.HandleFunc("POST /hooks/published", handlePublished)
	mux.HandleFunc("POST /login", handleLogin)
	mux.HandleFunc("GET /login/callback", handleLoginCallback)
	mux.HandleFunc("POST /logout", handleLogout)
	mux.HandleFunc("GET /dashboard/transcode/{episode}", handleTranscodeStatus)
	mux.HandleFunc("POST /sponsor/cart", handleAddToCart)
	mux.HandleFunc("POST /sponsor/hold", handleHold)
	mux.HandleFunc("POST /sponsor/hold/heartbeat", handleHoldHeartbeat)
	mux.HandleFunc("POST /sponsor/book", handleBook)
	mux.HandleFunc("GET /sponsor/{id}", handleSponsorProfile)
	cron.ScheduleTaskNonBlock(runCron)
	workers.Serve(mux)
}

func namespace(w http.ResponseWriter, binding string) (*kv.Namespace, bool) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		log.Printf("worker: %v", err)
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return ns, true
}

func store(w http.ResponseWriter, binding string) (kvstore.Store, bool) {
	st, err := stores.Open("kv://" + binding)
	if err != nil {
		log.Printf("worker: %v", err)
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return st, true
}

// putJSON stores v under key for ttl.
func putJSON(ns *kv.Namespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fetchOrigin calls the origin API with the shared secret.
func fetchOrigin(ctx context.Context, method, path, body string) (string, error) {
	url := strings.TrimRight(cloudflare.Getenv("ORIGIN_URL"), "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+cloudflare.Getenv("ORIGIN_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode >= 300 {
		err = fmt.Errorf("origin %s %s: %s", method, path, resp.Status)
	}
	return string(b), err
}
