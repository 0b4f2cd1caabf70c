//go:build js && wasm

// Package edge is the Cloudflare Worker in front of hoopoe: it serves private
// feeds and media, handles sign-in links and stitches ads, reading the KV
// projection that the backend writes.
package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

// nullValue is what a get of a missing key returns through the binding.
const nullValue = "<null>"

type env struct {
	kv    *cloudflare.KVNamespace
	media *cloudflare.R2Bucket
	dl    *cloudflare.DurableObjectNamespace
	db    *sql.DB
}

func loadEnv(ctx context.Context) (*env, error) {
	kv, err := cloudflare.NewKVNamespace(ctx, "HOOPOE_KV")
	if err != nil {
		return nil, err
	}
	media, err := cloudflare.NewR2Bucket(ctx, "MEDIA")
	if err != nil {
		return nil, err
	}
	dl, err := cloudflare.NewDurableObjectNamespace(ctx, "DOWNLOADS")
	if err != nil {
		return nil, err
	}
	c, err := d1.OpenConnector(ctx, "DB")
	if err != nil {
		return nil, err
	}
	return &env{kv: kv, media: media, dl: dl, db: sql.OpenDB(c)}, nil
}

type handlerFunc func(e *env, w http.ResponseWriter, r *http.Request)

func withEnv(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := loadEnv(r.Context())
		if err != nil {
			http.Error(w, "worker misconfigured", http.StatusInternalServerError)
			return
		}
		h(e, w, r)
	}
}

// Handler returns the Worker's router.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{token}", withEnv(serveFeed))
	mux.HandleFunc("GET /e/{show}/{episode}", withEnv(serveEpisode))
	mux.HandleFunc("GET /auth/magic/{code}", withEnv(redeemMagicLink))
	mux.HandleFunc("GET /auth/oauth/start", withEnv(startOAuth))
	mux.HandleFunc("GET /auth/oauth/callback", withEnv(finishOAuth))
	mux.HandleFunc("POST /shows/{show}/subdomain", withEnv(claimSubdomain))
	mux.HandleFunc("POST /shows/{show}/handle", withEnv(claimHandle))
	mux.HandleFunc("PUT /media/{show}/{episode}", withEnv(uploadEpisode))
	mux.HandleFunc("POST /media/{show}/{episode}/chapters", withEnv(appendChapter))
	mux.HandleFunc("POST /media/{show}/{episode}/preview", withEnv(createPreview))
	mux.HandleFunc("POST /shows/{show}/promo", withEnv(setPromo))
	mux.HandleFunc("GET /site/{show}/{rest...}", withEnv(serveSite))
	mux.HandleFunc("GET /api/episodes/{episode}", withEnv(episodeInfo))
	return mux
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// edgeConfig is operator-tunable behaviour, stored as JSON under config:edge.
type edgeConfig struct {
	RateLimitPerMinute int  `json:"rate_limit_per_minute"`
	StitchAds          bool `json:"stitch_ads"`
	ThrottleWindowSec  int  `json:"throttle_window_sec"`
}

func loadConfig(e *env) edgeConfig {
	cfg := edgeConfig{RateLimitPerMinute: 120, StitchAds: true, ThrottleWindowSec: 10}
	raw, err := e.kv.GetString("config:edge", &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || raw == nullValue {
		return cfg
	}
	_ = json.Unmarshal([]byte(raw), &cfg)
	return cfg
}
