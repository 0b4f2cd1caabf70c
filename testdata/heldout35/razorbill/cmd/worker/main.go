//go:build js && wasm

// Command worker is the Razorbill edge Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"razorbill/internal/config"
	"razorbill/internal/worker"
)

func main() {
	srv, err := worker.New(config.LoadWorker(cloudflare.Getenv))
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(srv.Scheduled)
	workers.Serve(srv.Routes())
}
