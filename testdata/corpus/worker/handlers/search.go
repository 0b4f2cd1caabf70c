package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

func queryKey(q string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(q))))
	return hex.EncodeToString(sum[:16])
}

// Search proxies search to the origin and caches the JSON result.
func Search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	cache, err := kv.NewNamespace("SEARCH_CACHE")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	k := "search:" + queryKey(q)
	if hit, err := cache.GetString(k, nil); err == nil && hit != "<null>" {
		w.Header().Set("X-Cache", "HIT")
		w.Write([]byte(hit))
		return
	}
	body, _, err := fetchOrigin(r.Context(), "/api/search?q="+q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = cache.PutString(k, body, &kv.PutOptions{
		ExpirationTTL: config.SearchCacheTTL, // EXPECT kvttl
	})
	w.Write([]byte(body))
}

// Suggest is like Search for the autocomplete box, with a one-minute cache.
func Suggest(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("p")
	cache, err := kv.NewNamespace("SEARCH_CACHE")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	k := "suggest:" + queryKey(prefix)
	if hit, err := cache.GetString(k, nil); err == nil && hit != "<null>" {
		w.Write([]byte(hit))
		return
	}
	body, _, err := fetchOrigin(r.Context(), "/api/suggest?p="+prefix)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = cache.PutString(k, body, &kv.PutOptions{ExpirationTTL: config.MinKVTTL})
	w.Write([]byte(body))
}
