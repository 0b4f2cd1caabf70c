//go:build js && wasm

// Command edge is the Worker entry point, built with GOOS=js GOARCH=wasm.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/quetzal-analytics/quetzal/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.Handler{})
}
