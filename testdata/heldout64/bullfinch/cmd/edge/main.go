//go:build js && wasm

// Command edge is the storefront Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"bullfinch/internal/edge"
)

func main() {
	env, err := edge.OpenEnv()
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(env.Scheduled)
	workers.Serve(edge.NewHandler(env))
}
