//go:build js && wasm

// Command edge is the waiting-room Worker: HTTP, the presale queue
// consumer and the minute cron share one Go instance.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/boxoffice/oystercatcher/internal/edge"
)

func main() {
	workers.ServeNonBlock(edge.Handler())
	queues.ConsumeNonBlock(edge.ConsumePresale)
	cron.ScheduleTaskNonBlock(edge.Tick)
	workers.Ready()
	<-workers.Done()
}
