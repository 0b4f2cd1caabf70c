package middleware

import (
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

// Maintenance serves a 503 page while the "maintenance" flag is set, except
// for the back office.
func Maintenance(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/") {
			next.ServeHTTP(w, r)
			return
		}
		ns, err := kv.NewNamespace(config.ShopKV)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		on, err := ns.GetString("maintenance", &kv.GetOptions{
			CacheTTL: config.FlagsCacheTTL, // EXPECT kvttl
		})
		if err == nil && on == "true" {
			w.Header().Set("Retry-After", "600")
			http.Error(w, "We'll be right back.", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// GeoBlock refuses countries the shop cannot ship to.
func GeoBlock(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		country := r.Header.Get("CF-IPCountry")
		ns, err := kv.NewNamespace(config.CatalogKV)
		if err != nil || country == "" {
			next.ServeHTTP(w, r)
			return
		}
		opts := &kv.GetOptions{}
		opts.CacheTTL = 3600
		blocked, err := ns.GetString("noship:"+country, opts)
		if err == nil && blocked != "<null>" {
			http.Error(w, "Sorry, we don't ship to your country yet.", http.StatusUnavailableForLegalReasons)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Announcement exposes the current announcement text to templates through a
// request header.
func Announcement(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := kvstore.Open(config.ShopKV)
		if err == nil {
			if text, err := st.GetCached("announcement", 10*time.Second); err == nil { // EXPECT kvttl
				r.Header.Set("X-Shop-Announcement", text)
			}
		}
		next.ServeHTTP(w, r)
	})
}
