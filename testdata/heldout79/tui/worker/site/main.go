//go:build js && wasm

// Command site is the Worker that serves static sites straight from the
// gateway's KV namespace: it maps a Host to a bucket, resolves index
// documents and renders directory listings.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

func main() {
	store, err := cloudflare.NewKVNamespace("OBJECTS")
	if err != nil {
		panic(err)
	}
	app := &site{kv: store}
	cron.ScheduleTaskNonBlock(app.scheduled)
	mux := http.NewServeMux()
	mux.HandleFunc("/_dl/", app.serveDownload)
	mux.HandleFunc("/", app.serveSite)
	workers.Serve(mux)
}
