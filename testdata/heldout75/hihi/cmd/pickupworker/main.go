//go:build js && wasm

// Command pickupworker is the Cloudflare Worker in front of the pickup
// kiosks. Build with GOOS=js GOARCH=wasm.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"hihi/internal/edge"
)

func main() {
	mux := http.NewServeMux()
	edge.Routes(mux)
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(mux)
}
