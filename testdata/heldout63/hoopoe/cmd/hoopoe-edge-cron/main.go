//go:build js && wasm

// Command hoopoe-edge-cron is the scheduled Worker.
package main

import (
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/hoopoefm/hoopoe/internal/edge"
)

func main() {
	cron.ScheduleTask(edge.Scheduled)
}
