package main

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// handleAdminProducts lists every cached product with its body, for the
// admin dashboard.
func handleAdminProducts(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := make(map[string]string)
	cursor := ""
	for {
		page, err := ns.List(&kv.ListOptions{Prefix: "product:", Cursor: cursor})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, k := range page.Keys {
			body, err := ns.GetString(k.Name, nil)
			if err != nil {
				continue
			}
			out[k.Name] = body
		}
		if page.ListComplete {
			break
		}
		cursor = page.Cursor
	}
	json.NewEncoder(w).Encode(out)
}

// handleAdminPages lists one page of cached CMS paths, and hands the
// cursor back for the next: correct paging.
func handleAdminPages(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	page, err := ns.List(&kv.ListOptions{Prefix: "page:", Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var paths []string
	for _, k := range page.Keys {
		paths = append(paths, k.Name)
	}
	json.NewEncoder(w).Encode(map[string]any{"paths": paths, "cursor": page.Cursor, "complete": page.ListComplete})
}
