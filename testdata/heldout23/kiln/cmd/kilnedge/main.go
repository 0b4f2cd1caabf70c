//go:build js && wasm

// Command kilnedge is the storefront Worker.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"example.com/kiln/internal/edge"
)

func main() {
	s, err := edge.New()
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s.Handler())
	mux.HandleFunc("GET /sitemap.txt", s.Sitemap)
	mux.HandleFunc("GET /drafts", s.Drafts)
	mux.HandleFunc("GET /recent", s.Recent)
	workers.Serve(mux)
}
