//go:build js && wasm

// Command edge is the Cloudflare Worker in front of the channel manager:
// availability and holds, rate plans, the guest portal, confirmation links
// and OTA webhooks. The nightly jobs run in cmd/edgecron.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"github.com/lakeshore-hospitality/eider/internal/edgeapi"
)

func main() {
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := edgeapi.New(r.Context())
		if err != nil {
			http.Error(w, "bindings unavailable", http.StatusServiceUnavailable)
			return
		}
		s.ServeHTTP(w, r)
	}))
}
