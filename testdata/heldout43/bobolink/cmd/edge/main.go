//go:build js && wasm

// Command edge is the Worker entry point.
package main

import (
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"bobolink/internal/edge"
)

var (
	mu      sync.Mutex
	handler http.Handler
)

// routes builds the handler on the first request: bindings only exist inside
// a request's runtime context. The isolate keeps it, and its caches, after.
func routes(log *slog.Logger) (http.Handler, error) {
	mu.Lock()
	defer mu.Unlock()
	if handler != nil {
		return handler, nil
	}
	deps, err := edge.NewDeps(cloudflare.Getenv, log)
	if err != nil {
		return nil, err
	}
	handler = edge.Routes(deps)
	return handler, nil
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := routes(log)
		if err != nil {
			log.Error("bindings", "err", err)
			http.Error(w, "misconfigured", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}))
}
