//go:build js && wasm

// Command edge is the Worker serving lot pages and taking bids.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/kakapo-auctions/kakapo/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.ServeNonBlock(edge.NewHandler())
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
