//go:build js && wasm

// Command edge-cron is the redstart Worker's scheduled handler.
package main

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare/cron"

	"github.com/exptrack/redstart/internal/edge/jobs"
)

func task(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	now := ev.ScheduledTime
	if now.IsZero() {
		now = time.Now()
	}
	return jobs.RunAll(ctx, now)
}

func main() {
	cron.ScheduleTask(task)
}
