//go:build js && wasm

// Command edge is the dunlin Worker (build with GOOS=js GOARCH=wasm).
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/dunlin-dev/dunlin/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.Handler())
}
