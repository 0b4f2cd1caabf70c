//go:build js && wasm

// Command kahu-edge is the Worker entry point (GOOS=js GOARCH=wasm).
package main

import (
	"log"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"kahu/internal/edge"
)

func main() {
	app, err := edge.NewApp()
	if err != nil {
		log.Fatal(err)
	}
	cron.ScheduleTaskNonBlock(app.Scheduled)
	workers.Serve(app.Handler())
}
