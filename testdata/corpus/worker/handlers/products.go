package handlers

import (
	"log"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

// ProductPage serves a rendered product page, caching the origin's HTML in KV.
func ProductPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	pages, err := kv.NewNamespace("PAGES")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "product:" + slug
	html, err := pages.GetString(key, &kv.GetOptions{CacheTTL: 3600})
	if err == nil && html != "<null>" {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(html))
		return
	}
	html, _, err = fetchOrigin(r.Context(), "/products/"+slug)
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if err := pages.PutString(key, html, &kv.PutOptions{ExpirationTTL: config.ProductCacheTTL}); err != nil {
		log.Printf("cache product %s: %v", slug, err)
	}
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte(html))
}

// SiteBanner returns the banner text shown on every page.
func SiteBanner(w http.ResponseWriter, r *http.Request) {
	cfg, err := kv.NewNamespace("CONFIG")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	banner, err := cfg.GetString("banner:current", &kv.GetOptions{
		CacheTTL: config.EdgeReadCacheTTL, // EXPECT kvttl
	})
	if err != nil || banner == "<null>" {
		banner = ""
	}
	w.Write([]byte(banner))
}

// Footer reads the footer links, cached at the edge for the minimum time.
func Footer(w http.ResponseWriter, r *http.Request) {
	cfg, err := kv.NewNamespace("CONFIG")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	links, _ := cfg.GetString("footer:links", &kv.GetOptions{CacheTTL: 30})
	w.Write([]byte(links))
}
