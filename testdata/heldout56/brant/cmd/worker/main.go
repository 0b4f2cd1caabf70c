//go:build js && wasm

// Command worker is the rider-facing Cloudflare Worker.
package main

import (
	"log"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"brant/internal/edge"
)

func main() {
	app, err := edge.NewApp(cloudflare.Getenv("PRICING_ORIGIN"))
	if err != nil {
		log.Fatal(err)
	}
	queues.ConsumeNonBlock(app.ConsumeTrips)
	cron.ScheduleTaskNonBlock(app.Scheduled)
	workers.Serve(app.Routes())
}
