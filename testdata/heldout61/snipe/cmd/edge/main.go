//go:build js && wasm

// Command edge is the fleet's Cloudflare Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/fleetwire/snipe/edge"
)

func main() {
	queues.ConsumeNonBlock(edge.Consume)
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.Mux())
}
