//go:build js && wasm

// Command edge is the hornbill Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/hornbill-billing/hornbill/internal/edge"
)

func main() {
	w, err := edge.New()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(w.Scheduled)
	workers.Serve(w.Handler())
}
