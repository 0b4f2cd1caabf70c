// Command dispatch-api serves webhook delivery, label issuing and depot
// capacity. It talks to Workers KV through the v6 Cloudflare client.
package main

import (
	"context"
	"database/sql"
	"flag"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"sora/internal/config"
	"sora/internal/depots"
	"sora/internal/edgekv"
	"sora/internal/httpx"
	"sora/internal/labels"
	"sora/internal/webhooks"
)

var (
	addr       = flag.String("addr", ":8081", "listen address")
	configPath = flag.String("config", "/etc/sora/dispatch.json", "configuration file")
	depotList  = flag.String("depots", "", "comma-separated depots shown on the load board")
)

func main() {
	flag.Parse()
	if c, err := config.ReadFile(*configPath); err == nil {
		config.Store(c)
	}
	config.WatchSIGHUP(*configPath, log.Printf)
	cfg := config.Load()

	ns := edgekv.New(os.Getenv("CLOUDFLARE_API_TOKEN"), cfg.AccountID, cfg.DispatchNamespace)
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	webhooks.Init(ns, db)
	labels.Init(ns)
	depots.Init(ns)

	if *depotList != "" {
		go publishBoardEvery(strings.Split(*depotList, ","), 5*time.Minute)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /v1/events", httpx.HandleThen(webhooks.Deliver))
	mux.Handle("POST /v1/webhooks/secret", httpx.Handle(webhooks.RotateSecret))
	mux.Handle("POST /v1/labels", httpx.Handle(labels.CreateLabel))
	mux.Handle("GET /v1/labels/{id}", httpx.Handle(labels.GetLabel))
	mux.Handle("POST /v1/labels/void", httpx.Handle(labels.VoidLabel))
	mux.Handle("POST /v1/holds", httpx.Handle(depots.PlaceHold))
	mux.Handle("POST /v1/holds/extend", httpx.Handle(depots.ExtendHold))
	mux.Handle("POST /v1/holds/release", httpx.Handle(depots.ReleaseHold))
	mux.Handle("GET /v1/depots/{depot}/holds", httpx.Handle(depots.ListHolds))
	mux.Handle("PUT /v1/depots/hours", httpx.Handle(depots.SetHours))

	log.Printf("dispatch-api listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

func publishBoardEvery(list []string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := depots.PublishBoard(ctx, list); err != nil {
			log.Printf("board: %v", err)
		}
		cancel()
	}
}
