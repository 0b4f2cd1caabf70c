//go:build js && wasm

// Command motmot-edge is the Worker entry point.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"github.com/motmot-energy/motmot/internal/edge"
)

func main() {
	w, err := edge.New()
	if err != nil {
		workers.Serve(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
		}))
		return
	}
	workers.Serve(w.Handler())
}
