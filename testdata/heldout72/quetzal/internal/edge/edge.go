//go:build js && wasm

// Package edge is the Cloudflare Worker: it collects page-view beacons and
// serves the embeddable visitor counters and badges.
package edge

import (
	"database/sql"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

// Binding names from wrangler.toml.
const (
	kvBinding = "QUETZAL_KV"
	dbBinding = "QUETZAL_DB"
)

// Worker holds the bindings of one invocation.
type Worker struct {
	kv *cloudflare.KVNamespace
	db *sql.DB
}

// Open binds the Worker to the current invocation's environment.
func Open() (*Worker, error) {
	ns, err := cloudflare.NewKVNamespace(kvBinding)
	if err != nil {
		return nil, err
	}
	c, err := d1.OpenConnector(dbBinding)
	if err != nil {
		return nil, err
	}
	return &Worker{kv: ns, db: sql.OpenDB(c)}, nil
}

// Handler is the Worker's fetch handler.
type Handler struct{}

// ServeHTTP implements http.Handler.
func (Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wk, err := Open()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /b", wk.beacon)
	mux.HandleFunc("GET /c/{site}", wk.counter)
	mux.HandleFunc("GET /badge/{site}", wk.badge)
	mux.HandleFunc("GET /t/{site}/pixel.gif", wk.pixel)
	mux.ServeHTTP(w, r)
}
