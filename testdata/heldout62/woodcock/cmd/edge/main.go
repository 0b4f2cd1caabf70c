//go:build js && wasm

// Command edge is the customer-facing Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/fleetbite/woodcock/internal/edge"
)

func main() {
	workers.ServeNonBlock(edge.Routes())
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Ready()
	<-workers.Done()
}
