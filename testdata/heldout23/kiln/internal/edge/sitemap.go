//go:build js && wasm

package edge

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// maxSitemapPages bounds how much of the namespace one request may list.
const maxSitemapPages = 20

// Sitemap lists published studio pages.
func (s *Server) Sitemap(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	opts := &kv.ListOptions{Prefix: "page:", Limit: 1000}
	for i := 0; i < maxSitemapPages; i++ {
		res, err := s.ns.List(opts)
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			fmt.Fprintf(w, "https://kiln.example.com/s/%s\n", strings.TrimPrefix(k.Name, "page:"))
		}
		if res.ListComplete {
			return
		}
		opts = &kv.ListOptions{Prefix: "page:", Limit: 1000, Cursor: res.Cursor}
	}
}

// Drafts lists unpublished page drafts for the preview tool.
func (s *Server) Drafts(w http.ResponseWriter, r *http.Request) {
	opts := &kv.ListOptions{Prefix: "draft:"}
	for page := 0; page < maxSitemapPages; page++ {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			fmt.Fprintln(w, strings.TrimPrefix(k.Name, "draft:"))
		}
		if res.ListComplete {
			return
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
}

// Recent lists the newest reviews shown in the footer.
func (s *Server) Recent(w http.ResponseWriter, r *http.Request) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: "review:", Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	for _, k := range res.Keys {
		fmt.Fprintln(w, k.Name)
	}
	if !res.ListComplete {
		fmt.Fprintf(w, "more: %s\n", res.Cursor)
	}
}
