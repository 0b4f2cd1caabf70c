//go:build js && wasm

// Command edge is the piwakawaka Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/kereru-ci/piwakawaka/internal/edge"
)

func main() {
	app, err := edge.New()
	if err != nil {
		panic(err)
	}
	workers.ServeNonBlock(app)
	cron.ScheduleTaskNonBlock(app.Scheduled)
	queues.ConsumeNonBlock(app.Consume)
	workers.Ready()
	<-workers.Done()
}
