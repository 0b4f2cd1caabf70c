//go:build js && wasm

// Command edge is the Worker entry point.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"wryneck/worker/edge"
)

func main() {
	app, err := edge.New(cloudflare.Getenv("RENDERER_URL"))
	if err != nil {
		panic(err)
	}
	workers.ServeNonBlock(app.Routes())
	cron.ScheduleTaskNonBlock(app.Scheduler.Run)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
	_ = http.StatusOK
}
