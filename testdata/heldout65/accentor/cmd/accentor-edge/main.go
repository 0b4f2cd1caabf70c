//go:build js && wasm

// Command accentor-edge is the Worker build: `GOOS=js GOARCH=wasm go build`.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/accentor/accentor/internal/edge"
)

func main() {
	workers.ServeNonBlock(edge.Handler())
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Ready()
	<-workers.Done()
}
