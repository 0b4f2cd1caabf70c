//go:build js && wasm

// Command pukeko-edge is the Worker entry point.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"pukeko/internal/edge"
)

func main() {
	e, err := edge.New()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(e.Scheduled)
	workers.Serve(e.Routes())
}
