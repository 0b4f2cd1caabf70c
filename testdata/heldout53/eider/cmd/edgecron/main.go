//go:build js && wasm

// Command edgecron is the scheduled Worker that runs the nightly export and
// sweeps over the edge namespaces.
package main

import (
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/lakeshore-hospitality/eider/internal/edgeapi"
)

func main() {
	cron.ScheduleTask(edgeapi.Nightly)
}
