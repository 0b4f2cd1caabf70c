//go:build js && wasm

// Command edge-sweeper is the cron-triggered Worker that tidies edge state.
package main

import (
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/rosefinch-dev/rosefinch/internal/edge"
)

func main() {
	cron.ScheduleTask(edge.Sweep)
}
