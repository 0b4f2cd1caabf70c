//go:build js && wasm

// Command edge is the karearea Worker. Build with
//
//	GOOS=js GOARCH=wasm go build -o build/app.wasm ./cmd/edge
package main

import (
	"context"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/karearea/karearea/internal/edge"
)

func main() {
	e, err := edge.New(cloudflare.Getenv("BUILD_ID"))
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
		if ev.Cron == "0 3 * * *" {
			_, err := e.AuditPurgeLogs(100)
			return err
		}
		return e.RefreshRates(client, cloudflare.Getenv("ORIGIN_URL"))
	})
	workers.Serve(e.Handler())
}
