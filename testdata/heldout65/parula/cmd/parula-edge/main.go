//go:build js && wasm

// Command parula-edge is the Cloudflare Worker in front of the Parula bot.
package main

import (
	"database/sql"
	"log"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/parula-labs/parula/internal/edge"
)

func main() {
	conn, err := d1.OpenConnector("PARULA_DB")
	if err != nil {
		log.Fatalf("d1: %v", err)
	}
	h, err := edge.New(sql.OpenDB(conn))
	if err != nil {
		log.Fatalf("bindings: %v", err)
	}
	workers.ServeNonBlock(h)
	cron.ScheduleTaskNonBlock(h.Scheduled)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
