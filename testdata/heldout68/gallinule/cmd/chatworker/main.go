//go:build js && wasm

// Command chatworker is the Worker behind chat.gallinule.dev.
package main

import (
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/birdline/gallinule/internal/edge/chat"
)

func main() {
	cron.ScheduleTaskNonBlock(chat.Nightly)
	workers.Serve(chat.New())
}
