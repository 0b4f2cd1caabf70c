package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// maxAge extracts max-age from a Cache-Control header, or 0.
func maxAge(cc string) int {
	for _, part := range strings.Split(cc, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "max-age="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// ProxyAPI caches upstream JSON for as long as upstream allows, but never
// less than KV's minimum.
func ProxyAPI(w http.ResponseWriter, r *http.Request) {
	cache, err := kv.NewNamespace("API_CACHE")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "api:" + r.URL.Path + "?" + r.URL.RawQuery
	if v, err := cache.GetString(key, &kv.GetOptions{CacheTTL: 60}); err == nil && v != "<null>" {
		w.Write([]byte(v))
		return
	}
	body, hdr, err := fetchOrigin(r.Context(), r.URL.Path+"?"+r.URL.RawQuery)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ttl := maxAge(hdr.Get("Cache-Control"))
	if ttl < 60 {
		ttl = 60
	}
	_ = cache.PutString(key, body, &kv.PutOptions{ExpirationTTL: ttl})
	w.Write([]byte(body))
}

// ProxyStatic caches only what upstream marks cacheable for a minute or more.
func ProxyStatic(w http.ResponseWriter, r *http.Request) {
	cache, _ := kv.NewNamespace("API_CACHE")
	body, hdr, err := fetchOrigin(r.Context(), r.URL.Path)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if ttl := maxAge(hdr.Get("Cache-Control")); ttl >= 60 {
		_ = cache.PutString("static:"+r.URL.Path, body, &kv.PutOptions{ExpirationTTL: ttl})
	}
	w.Write([]byte(body))
}
