package main

import (
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// handlePage serves CMS pages, cached for as long as the origin says.
func handlePage(w http.ResponseWriter, r *http.Request) {
	cache, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "page:" + r.PathValue("path")

	if cached, err := cache.GetString(key, nil); err == nil && cached != "<null>" {
		writeJSON(w, []byte(cached), "kv")
		return
	}

	body, ttl, err := fetchOrigin(r.Context(), "/api/pages/"+r.PathValue("path"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch {
	case ttl == 0:
		// The origin did not say: don't keep it.
		writeJSON(w, body, "origin")
		return
	case ttl < time.Minute:
		// KV cannot expire anything sooner than a minute from now.
		ttl = time.Minute
	}
	if err := cache.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil {
		log.Printf("caching %s: %v", key, err)
	}
	writeJSON(w, body, "origin")
}
