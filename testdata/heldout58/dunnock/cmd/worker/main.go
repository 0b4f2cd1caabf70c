//go:build js && wasm

// Command worker is the dunnock edge Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"dunnock/internal/edge"
)

func main() {
	w, err := edge.New()
	if err != nil {
		panic(err)
	}
	workers.ServeNonBlock(w.ResumeMiddleware(w.Handler()))
	cron.ScheduleTaskNonBlock(w.Scheduled)
	workers.Ready()
	<-workers.Done()
}
