package main

import (
	"crypto/sha256"
	"encoding/hex"
	"log"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// handleSearch answers catalogue searches. Popular queries repeat a lot, so
// results are kept for ten minutes under a hash of the normalised query.
func handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	if q == "" {
		http.Error(w, "missing q", http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256([]byte(q))
	key := "search:" + hex.EncodeToString(sum[:])

	cache, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if cached, err := cache.GetString(key, nil); err == nil && cached != "<null>" {
		writeJSON(w, []byte(cached), "kv")
		return
	}

	body, _, err := fetchOrigin(r.Context(), "/api/search?q="+url.QueryEscape(q))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	opts := &kv.PutOptions{ExpirationTTL: int(10 * time.Minute)}
	if err := cache.PutString(key, string(body), opts); err != nil {
		log.Printf("caching search %q: %v", q, err)
	}
	writeJSON(w, body, "origin")
}
