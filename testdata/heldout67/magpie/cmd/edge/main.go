//go:build js && wasm

// Command edge is the media platform's image and download Worker.
package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/magpie-media/magpie/edge"
)

func catalogueHas(b *edge.Bindings) func(string) bool {
	return func(target string) bool {
		var one int
		err := b.DB.QueryRow(`SELECT 1 FROM variants WHERE r2_key = ? LIMIT 1`, target).Scan(&one)
		return err == nil
	}
}

func scheduled(ctx context.Context) error {
	b, err := edge.Bind()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if ev.Cron == "0 * * * *" {
		n, err := edge.SweepShares(b, catalogueHas(b))
		log.Printf("sweep: removed %d in %s (err=%v)", n, time.Since(start), err)
	}
	if ev.Cron == "15 0 * * *" {
		if err := edge.PublishViews(b); err != nil {
			log.Printf("views: %v", err)
		}
	}
	return edge.PublishIndex(b)
}

func main() {
	var h http.Handler = edge.Handler()
	workers.ServeNonBlock(h)
	cron.ScheduleTaskNonBlock(scheduled)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
