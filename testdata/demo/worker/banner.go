package main

import (
	"log"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// defaultBannerTTL applies when BANNER_TTL_SECONDS is unset or malformed.
const defaultBannerTTL = 600

// handleBanner serves the site-wide announcement banner. Marketing sets how
// long a rendered banner may be reused through the BANNER_TTL_SECONDS
// variable in wrangler.toml.
func handleBanner(w http.ResponseWriter, r *http.Request) {
	cache, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if cached, err := cache.GetString("banner", nil); err == nil && cached != "<null>" {
		writeJSON(w, []byte(cached), "kv")
		return
	}

	body, _, err := fetchOrigin(r.Context(), "/api/banner")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ttl, err := strconv.Atoi(cloudflare.Getenv("BANNER_TTL_SECONDS"))
	if err != nil {
		ttl = defaultBannerTTL
	}
	if err := cache.PutString("banner", string(body), &kv.PutOptions{ExpirationTTL: ttl}); err != nil {
		log.Printf("caching banner: %v", err)
	}
	writeJSON(w, body, "origin")
}
