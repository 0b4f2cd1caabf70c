//go:build js && wasm

// Command edge is the ruru.fm edge Worker, built with
// GOOS=js GOARCH=wasm and deployed with wrangler.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/ruru-fm/ruru/internal/edge"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /e/{show}/{file}", edge.Download)
	mux.HandleFunc("GET /m/{show}/{episode}", edge.Manifest)
	mux.HandleFunc("POST /share/{show}/{episode}", edge.Share)
	mux.HandleFunc("GET /private/{token}/feed.xml", edge.PrivateFeed)
	mux.HandleFunc("GET /settings/{show}", edge.ShowSettings)
	mux.HandleFunc("GET /stats/{episode}/today", edge.Listeners)

	cron.ScheduleTaskNonBlock(edge.Sweep)
	workers.Serve(mux)
}
