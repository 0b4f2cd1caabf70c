//go:build js && wasm

// Command edge is the Starling edge worker.
package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"starling/internal/edge"
)

func main() {
	sessionTTL, err := time.ParseDuration(cloudflare.Getenv("SESSION_TTL"))
	if err != nil {
		sessionTTL = 30 * 24 * time.Hour
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	app, err := edge.New(edge.Config{
		OriginURL:  cloudflare.Getenv("ORIGIN_URL"),
		FeedTTL:    15 * time.Minute,
		SessionTTL: sessionTTL,
		CookieName: "starling_session",
	}, log)
	if err != nil {
		panic(err)
	}
	cron.ScheduleTaskNonBlock(app.Scheduled)
	workers.Serve(app.Routes())
	<-cron.Done()
}
