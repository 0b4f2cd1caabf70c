//go:build js && wasm

package router

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/condor-hosting/condor/internal/keys"
)

// adminPageBudget bounds how many list pages one admin request may read.
const adminPageBudget = 10

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// serveAdmin answers the support team's debugging endpoints.
func (rt *Router) serveAdmin(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if rt.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(rt.AdminToken)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	switch strings.TrimPrefix(r.URL.Path, "/_condor/admin/") {
	case "keys":
		rt.adminKeys(ns, w, q.Get("prefix"), q.Get("cursor"))
	case "routes":
		rt.adminRoutes(ns, w, q.Get("host"))
	case "redirects":
		rt.adminRedirects(ns, w, q.Get("host"))
	case "sessions":
		rt.adminSessions(ns, w, q.Get("host"))
	case "purge":
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		_ = ns.PutString("meta:purge-requested", time.Now().UTC().Format(time.RFC3339), nil) // DEBATABLE kvhotkey
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// adminKeys returns one page of keys and the cursor of the next page.
func (rt *Router) adminKeys(ns *kv.Namespace, w http.ResponseWriter, prefix, cursor string) {
	res, err := ns.List(&kv.ListOptions{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	out := map[string]any{"keys": names}
	if !res.ListComplete {
		out["cursor"] = res.Cursor
	}
	writeJSON(w, out)
}

// adminRoutes lists every route key of a host.
func (rt *Router) adminRoutes(ns *kv.Namespace, w http.ResponseWriter, host string) {
	opts := &kv.ListOptions{Prefix: keys.SiteRoutes(host)}
	var routes []string
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			routes = append(routes, strings.TrimPrefix(k.Name, keys.SiteRoutes(host)))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, map[string]any{"host": host, "routes": routes})
}

// adminRedirects lists the redirect sources of a host.
func (rt *Router) adminRedirects(ns *kv.Namespace, w http.ResponseWriter, host string) {
	prefix := keys.SiteRedirects(host)
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	var from []string
	for page := 0; page < adminPageBudget; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			from = append(from, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	writeJSON(w, map[string]any{"host": host, "redirects": from})
}

// adminSessions shows the live sessions of a preview with their details.
func (rt *Router) adminSessions(ns *kv.Namespace, w http.ResponseWriter, host string) {
	prefix := keys.PreviewSessions(host)
	opts := &kv.ListOptions{Prefix: prefix}
	sessions := map[string]previewSession{}
	for page := 0; page < adminPageBudget; page++ {
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == nullValue {
				continue
			}
			var s previewSession
			if json.Unmarshal([]byte(v), &s) == nil {
				sessions[strings.TrimPrefix(k.Name, prefix)] = s
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, sessions)
}
