//go:build js && wasm

// Command edge is the Worker entry point.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/frogmouth-dev/frogmouth/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Sweep)
	workers.ServeNonBlock(edge.Handler())
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
