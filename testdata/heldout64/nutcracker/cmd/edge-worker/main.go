//go:build js && wasm

// Command edge-worker is the Worker in front of customer gateways.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/portwell/nutcracker/internal/edge"
)

func main() {
	queues.ConsumeNonBlock(edge.ConsumeUsage)
	cron.ScheduleTaskNonBlock(edge.RunScheduled)
	workers.Serve(edge.NewMux())
}
