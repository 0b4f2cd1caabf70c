//go:build js && wasm

// Command edge-worker is the preview-routing Worker.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"github.com/rosefinch-dev/rosefinch/internal/edge"
)

func main() {
	sessions := &edge.SessionManager{}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", edge.Health)
	mux.Handle("/_rosefinch/bootstrap", &edge.BootstrapHandler{Sessions: sessions})
	mux.Handle("/_rosefinch/share", edge.ShareHandler{})
	mux.Handle("/_rosefinch/admin/", edge.Admin{})
	mux.HandleFunc("/_rosefinch/logout", func(w http.ResponseWriter, r *http.Request) {
		edge.WithNamespaces(w, r, sessions.Logout)
	})
	mux.HandleFunc("/_rosefinch/pin", func(w http.ResponseWriter, r *http.Request) {
		edge.WithNamespaces(w, r, sessions.Pin)
	})
	mux.Handle("/", &edge.Router{Sessions: sessions})
	workers.Serve(mux)
}
