//go:build js && wasm

// Command smew-cron is the scheduled Worker that rebuilds the edge indexes.
package main

import (
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/smew/internal/edge"
)

func main() {
	cron.ScheduleTask(edge.RunScheduled)
}
