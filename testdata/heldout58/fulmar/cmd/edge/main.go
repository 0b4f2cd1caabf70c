//go:build js && wasm

// Command edge is the Fulmar menu Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"fulmar/internal/edge"
)

func main() {
	w := edge.New()
	cron.ScheduleTaskNonBlock(w.Scheduled)
	workers.Serve(w.Handler())
}
