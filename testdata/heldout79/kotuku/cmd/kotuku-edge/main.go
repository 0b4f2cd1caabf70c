//go:build js && wasm

// Command kotuku-edge is the buyer-facing Worker.
package main

import (
	"database/sql"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/kotuku-market/kotuku/internal/edge"
)

func main() {
	b, err := edge.Open()
	if err != nil {
		panic(err)
	}
	connector, err := d1.OpenConnector("DB")
	if err != nil {
		panic(err)
	}
	w := edge.NewWorker(b, sql.OpenDB(connector))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /menu", w.Menu)
	mux.HandleFunc("GET /login", w.BeginLogin)
	mux.HandleFunc("GET /login/callback", w.Callback)
	mux.HandleFunc("GET /", func(rw http.ResponseWriter, r *http.Request) {
		w.Seen(r)
		w.Routes().ServeHTTP(rw, r)
	})
	cron.ScheduleTaskNonBlock(w.Snapshot)
	workers.Serve(mux)
}
