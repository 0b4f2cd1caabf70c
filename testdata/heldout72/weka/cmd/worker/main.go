//go:build js && wasm

// Command worker is the edge Worker of the Q&A site.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"weka/internal/edge"
)

func main() {
	e, err := edge.Open()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(e.Scheduled)
	workers.Serve(e.Handler())
}
