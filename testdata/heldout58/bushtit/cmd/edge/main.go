//go:build js && wasm

// Command edge is the lobby-lookup Worker, built with
// GOOS=js GOARCH=wasm and deployed with wrangler.
package main

import (
	"context"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/arcadia-games/bushtit/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		env, err := edge.Bind()
		if err != nil {
			return err
		}
		return env.Scheduled(ctx)
	})
	workers.Serve(edge.Handler())
}
