//go:build js && wasm

// Command redshank-edge is the Worker entry point: the fetch handler, the
// exposures queue consumer and the cron trigger share one module.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/redshank-labs/redshank/internal/edge"
)

func main() {
	workers.ServeNonBlock(edge.Handler())
	queues.ConsumeNonBlock(edge.ConsumeExposures)
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Ready()
	<-workers.Done()
}
