//go:build js && wasm

// Command edgecron is the scheduled handler of the edge Worker, deployed as
// its own script so a slow sweep never competes with request handling.
package main

import (
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/ruffgate/ruff/internal/edge"
)

func main() {
	cron.ScheduleTask(edge.Scheduled)
}
