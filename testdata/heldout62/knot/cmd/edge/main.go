//go:build js && wasm

// Command edge is the booking Worker, built with
// GOOS=js GOARCH=wasm go build -o build/app.wasm ./cmd/edge
package main

import (
	"log"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/meridiancare/knot/internal/edge"
)

func main() {
	app, err := edge.New()
	if err != nil {
		log.Fatal(err)
	}
	cron.ScheduleTaskNonBlock(app.Scheduled)
	workers.Serve(app.Handler())
}
