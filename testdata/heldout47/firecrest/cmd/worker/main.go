//go:build js && wasm

// Command worker is the courier edge Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"firecrest/internal/worker"
)

func main() {
	cron.ScheduleTaskNonBlock(worker.Scheduled)
	workers.Serve(worker.Handler())
}
