//go:build js && wasm

// Command worker is the storefront Worker. It serves the HTTP API and
// runs the scheduled clean-up.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"brambling/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.Lazy())
}
