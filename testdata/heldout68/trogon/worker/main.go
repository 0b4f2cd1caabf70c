//go:build js && wasm

// Command worker is the edge Worker that serves published sites: it maps
// the request's host to a site, applies maintenance mode, redirects and
// preview protection, and streams assets named by the live manifest.
package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/trogon-edge/trogon/internal/site"
)

const binding = "SITES"

// missing is how syscall/js renders a JS null returned by KV.get.
const missing = "<null>"

// lookup reads a string value and reports whether the key exists.
func lookup(ns *kv.Namespace, key string, cacheTTL int) (string, bool, error) {
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

var viewCounts = map[string]int{}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_trogon/login", handleLogin)
	mux.HandleFunc("POST /_trogon/logout", handleLogout)
	mux.HandleFunc("GET /_trogon/magic", handleMagic)
	mux.HandleFunc("POST /_trogon/magic", handleMintMagic)
	mux.HandleFunc("GET /_trogon/oauth/start", handleOAuthStart)
	mux.HandleFunc("GET /_trogon/oauth/callback", handleOAuthCallback)
	mux.HandleFunc("GET /_trogon/keys", handleKeys)
	mux.HandleFunc("GET /_trogon/assets", handleAssets)
	mux.HandleFunc("GET /_trogon/redirect-index", handleRedirectIndex)
	mux.HandleFunc("GET /sitemap.xml", handleSitemap)
	mux.HandleFunc("/", serveSite)

	cron.ScheduleTaskNonBlock(nightly)
	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}

func serveSite(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	_ = ns.PutString("edge/last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	siteID, err := ns.GetString(site.HostnameKey(r.Host), &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if siteID == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}

	if msg, _ := ns.GetString("maint/"+siteID, nil); msg != "" { // EXPECT kvnull
		w.Header().Set("Retry-After", "300")
		http.Error(w, msg, http.StatusServiceUnavailable)
		return
	}

	raw, err := ns.GetString(site.ConfigKey(siteID), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "config unavailable", http.StatusBadGateway)
		return
	}
	var cfg site.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		http.Error(w, "config unreadable", http.StatusInternalServerError)
		return
	}
	if cfg.PreviewOnly && !previewAllowed(ns, r) {
		http.Redirect(w, r, "/_trogon/login?next="+r.URL.Path, http.StatusFound)
		return
	}

	if rules, ok, _ := lookup(ns, site.RedirectsKey(siteID), 300); ok {
		var table []site.Redirect
		if json.Unmarshal([]byte(rules), &table) == nil {
			for _, rd := range table {
				if rd.From == r.URL.Path {
					http.Redirect(w, r, rd.To, rd.Status)
					return
				}
			}
		}
	}

	manifestRaw, ok, err := lookup(ns, site.CurrentManifestKey(siteID), 15) // EXPECT kvttl
	if err != nil || !ok {
		proxyOrigin(ns, w, r, cfg)
		return
	}
	var m site.Manifest
	if err := json.Unmarshal([]byte(manifestRaw), &m); err != nil {
		http.Error(w, "manifest unreadable", http.StatusInternalServerError)
		return
	}
	p := r.URL.Path
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	entry, found := m.Files[p]
	if !found {
		notFound(ns, w, r, siteID, cfg)
		return
	}
	body, err := ns.GetReader(entry.Key, &kv.GetOptions{CacheTTL: 86400})
	if err != nil {
		http.Error(w, "asset unavailable", http.StatusBadGateway)
		return
	}
	for k, v := range cfg.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", entry.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(entry.Size, 10))
	_, _ = io.Copy(w, body)

	viewCounts[siteID]++
	if n := viewCounts[siteID]; n%100 == 0 {
		_ = ns.PutString("views/"+siteID, strconv.Itoa(n), nil) // EXPECT kvcounter
	}
}

// notFound serves the site's 404 page and remembers missing paths so the
// dashboard can suggest redirects.
func notFound(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, siteID string, cfg site.Config) {
	missKey := "miss/" + siteID + r.URL.Path
	if _, seen, _ := lookup(ns, missKey, 60); !seen {
		_ = ns.PutString(missKey, "1", &kv.PutOptions{ExpirationTTL: 30}) // EXPECT kvttl

		logKey := "missing/" + siteID
		var paths []string
		if v, ok, _ := lookup(ns, logKey, 0); ok {
			_ = json.Unmarshal([]byte(v), &paths)
		}
		if len(paths) < 200 {
			paths = append(paths, r.URL.Path)
			b, _ := json.Marshal(paths)
			_ = ns.PutString(logKey, string(b), &kv.PutOptions{ExpirationTTL: 7 * 86400}) // EXPECT kvrace
		}
	}
	w.WriteHeader(http.StatusNotFound)
	if cfg.NotFound != "" {
		_, _ = io.WriteString(w, cfg.NotFound)
	}
}

// proxyOrigin serves paths the manifest does not know from the site's
// origin, caching responses in KV for as long as the origin allows.
func proxyOrigin(ns *kv.Namespace, w http.ResponseWriter, r *http.Request, cfg site.Config) {
	if cfg.Origin == "" {
		http.NotFound(w, r)
		return
	}
	cacheKey := "origin/" + cfg.SiteID + r.URL.Path
	if v, ok, _ := lookup(ns, cacheKey, 60); ok {
		_, _ = io.WriteString(w, v)
		return
	}
	res, err := http.Get(strings.TrimSuffix(cfg.Origin, "/") + r.URL.Path)
	if err != nil {
		http.Error(w, "origin unreachable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	if res.StatusCode >= 500 {
		_ = ns.PutString("edge/last-error", cfg.SiteID+" "+res.Status, nil) // EXPECT kvhotkey
		http.Error(w, "origin error", http.StatusBadGateway)
		return
	}
	body, _ := io.ReadAll(res.Body)
	maxAge := parseMaxAge(res.Header.Get("Cache-Control"))
	if maxAge > 0 && res.StatusCode == http.StatusOK {
		if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			_ = ns.PutString(cacheKey, string(body), &kv.PutOptions{ExpirationTTL: max(maxAge, 10)}) // EXPECT kvttl
		} else {
			_ = ns.PutString(cacheKey, string(body), &kv.PutOptions{ExpirationTTL: max(maxAge, 60)})
		}
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(body)
}

func parseMaxAge(cc string) int {
	for _, part := range strings.Split(cc, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}
