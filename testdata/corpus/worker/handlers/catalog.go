package handlers

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
	"kvlint.test/corpus/worker/kvstore"
)

// Catalog caches the catalog for as long as the environment says.
func Catalog(w http.ResponseWriter, r *http.Request) {
	settings := config.Load()
	ns, err := kv.NewNamespace("PAGES")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if v, err := ns.GetString("catalog", nil); err == nil && v != "<null>" {
		w.Write([]byte(v))
		return
	}
	body, _, err := fetchOrigin(r.Context(), "/catalog")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = ns.PutString("catalog", body, &kv.PutOptions{ExpirationTTL: int(settings.CacheFor.Seconds())})
	_ = ns.PutString("catalog:raw", body, &kv.PutOptions{ExpirationTTL: settings.TTLSeconds})
	_ = ns.PutString("catalog:backup", body, &kv.PutOptions{
		ExpirationTTL: int(settings.CacheFor), // EXPECT kvttl
	})
	w.Write([]byte(body))
}

// LoginThrottle uses the shared limiter for login attempts.
func LoginThrottle(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace("RATE_LIMITS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	lim := kvstore.NewLimiter(ns, "login:", 5, 900)
	ok, err := lim.Allow(r.FormValue("user"))
	if err != nil || !ok {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
