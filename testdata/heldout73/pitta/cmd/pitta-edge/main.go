//go:build js && wasm

// Command pitta-edge is the Cloudflare Worker in front of the booking API.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/cityofpitta/pitta/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Warm)
	workers.Serve(edge.Handler())
}
