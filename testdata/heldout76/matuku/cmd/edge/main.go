//go:build js && wasm

// Command edge is the gateway's Cloudflare Worker.
package main

import (
	"context"
	"log"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"matuku/internal/edge"
)

func main() {
	sessions, err := cloudflare.NewKVNamespace("SESSIONS")
	if err != nil {
		log.Fatal(err)
	}
	config, err := cloudflare.NewKVNamespace("CONFIG")
	if err != nil {
		log.Fatal(err)
	}
	app := &edge.App{Sessions: sessions, Config: config, Origin: cloudflare.Getenv("ORIGIN_URL")}

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		return app.Sweep(ctx)
	})
	workers.Serve(app.Handler())
}
