//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/trogon-edge/trogon/internal/site"
)

// handleKeys returns one page of keys under a prefix, with the cursor for
// the next page; the dashboard pages through it.
func handleKeys(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	res, err := ns.List(&kv.ListOptions{Prefix: q.Get("prefix"), Cursor: q.Get("cursor"), Limit: 1000})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": next})
}

// handleAssets lists a site's asset keys for the dashboard's storage view.
func handleAssets(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	siteID := r.URL.Query().Get("site")
	opts := &kv.ListOptions{Prefix: site.PrefixAsset + siteID + "/", Limit: 1000}
	var names []string
	for page := 0; page < 10; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	_ = json.NewEncoder(w).Encode(names)
}

// handleRedirectIndex lists every site that has a redirect table.
func handleRedirectIndex(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: site.PrefixRedirects,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	sites := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		sites = append(sites, strings.TrimPrefix(k.Name, site.PrefixRedirects))
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"sites": sites, "count": len(sites)})
}

// handleSitemap renders the manifest's HTML pages of the requesting site.
func handleSitemap(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	siteID, ok, err := lookup(ns, site.HostnameKey(r.Host), 3600)
	if err != nil || !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintln(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	opts := &kv.ListOptions{Prefix: "page/" + siteID + "/"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil || len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			fmt.Fprintf(w, "<url><loc>https://%s/%s</loc></url>\n", r.Host, strings.TrimPrefix(k.Name, opts.Prefix))
		}
		opts.Cursor = res.Cursor
	}
	fmt.Fprintln(w, `</urlset>`)
}

// nightly runs from the Worker's cron trigger: it records which sites are
// in maintenance and stamps the run.
func nightly(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return err
	}
	var inMaintenance []string
	opts := &kv.ListOptions{Prefix: site.PrefixConfig, Limit: 1000}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			siteID := strings.TrimPrefix(k.Name, site.PrefixConfig)
			if _, ok, _ := lookup(ns, "maint/"+siteID, 0); ok { // EXPECT kvlist
				inMaintenance = append(inMaintenance, siteID)
			}
			_ = ns.PutString("cron/last-run", ev.ScheduledTime.Format(time.RFC3339), nil) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	digest, _ := json.Marshal(map[string]any{"at": ev.ScheduledTime, "maintenance": inMaintenance})
	return ns.PutString("cron/summary", string(digest), &kv.PutOptions{ExpirationTTL: 7 * 86400})
}
