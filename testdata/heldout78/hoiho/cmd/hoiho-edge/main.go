//go:build js && wasm

// Command hoiho-edge is the registry's Cloudflare Worker.
package main

import (
	"context"
	"errors"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/hoiho-dev/hoiho/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		e, err := edge.New(cloudflare.Getenv("ORIGIN"))
		if err != nil {
			return err
		}
		return errors.Join(e.PurgeLatest(ctx), e.Heartbeat(ctx), e.DailyDigest(ctx))
	})
	e, err := edge.New(cloudflare.Getenv("ORIGIN"))
	if err != nil {
		panic(err)
	}
	workers.ServeNonBlock(e)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
