//go:build js && wasm

// Command edge is the tournament's Cloudflare Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"tieke/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Nightly)
	workers.ServeNonBlock(edge.Handler())
	workers.Ready()
	<-workers.Done()
}
