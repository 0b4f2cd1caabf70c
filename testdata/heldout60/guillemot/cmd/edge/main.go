//go:build js && wasm

// Command edge is the forum's Cloudflare Worker.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/forumworks/guillemot/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.NewApp(cloudflare.Getenv("ACCOUNTS_ORIGIN")))
}
