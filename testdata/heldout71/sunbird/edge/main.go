//go:build js && wasm

// Command edge is the Worker in front of *.sunbird.page. It resolves preview
// links and custom redirects at the edge and forwards everything else to the
// origin.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_edge/alias", handleAlias)
	mux.HandleFunc("GET /_edge/redirects", handleRedirectDump)
	mux.HandleFunc("/", handleSite)
	cron.ScheduleTaskNonBlock(nightly)
	workers.Serve(mux)
}
