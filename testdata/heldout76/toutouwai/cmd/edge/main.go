//go:build js && wasm

// Command edge is the Worker in front of the booking site.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/toutouwai/booking/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.Handler())
}
