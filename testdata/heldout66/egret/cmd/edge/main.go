//go:build js && wasm

// Command edge is the Worker that receives Telegram's webhook.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/egretdesk/egret/internal/edge"
)

func main() {
	workers.ServeNonBlock(edge.NewHandler())
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
