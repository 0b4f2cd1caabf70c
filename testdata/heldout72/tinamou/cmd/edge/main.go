//go:build js && wasm

// Command edge is the Tinamou edge Worker.
package main

import (
	"database/sql"
	"net/http"
	"net/http/httputil"
	"net/url"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/tinamou-id/tinamou/internal/edge"
)

func main() {
	connector, err := d1.OpenConnector("DB")
	if err != nil {
		panic(err)
	}
	db := sql.OpenDB(connector)

	originURL, err := url.Parse(cloudflare.Getenv("ORIGIN_URL"))
	if err != nil {
		panic(err)
	}
	origin := httputil.NewSingleHostReverseProxy(originURL)

	gate, err := edge.NewGate(db, origin)
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(edge.NewSweeper(gate).Task)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", gate.ServeLogin)
	mux.HandleFunc("/api/", gate.ServeAPI)
	mux.Handle("/", origin)
	workers.Serve(mux)
}
