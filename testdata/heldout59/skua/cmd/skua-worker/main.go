//go:build js && wasm

// Command skua-worker is the Cloudflare Worker serving feeds and downloads
// at the edge. Build with GOOS=js GOARCH=wasm; see wrangler.toml.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/skua-fm/skua/internal/edge"
)

func main() {
	cron.ScheduleTaskNonBlock(edge.Scheduled)
	workers.Serve(edge.NewRouter())
}
