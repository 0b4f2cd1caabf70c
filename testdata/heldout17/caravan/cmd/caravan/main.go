// Command caravan runs the dispatch backend.
//
//	caravan serve   HTTP API on $PORT; the queue pushes ping batches to it
//	caravan cron    publish schedules every 15 minutes
package main

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	a, err := build(log)
	if err != nil {
		log.Error("startup", "err", err)
		os.Exit(1)
	}
	mode := "serve"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "serve":
		srv := &http.Server{Addr: ":" + cmp.Or(os.Getenv("PORT"), "8080"), Handler: a.api, ReadHeaderTimeout: 5 * time.Second}
		context.AfterFunc(ctx, func() { _ = srv.Close() })
		err = srv.ListenAndServe()
	case "cron":
		t := time.NewTicker(15 * time.Minute)
		defer t.Stop()
		for err == nil {
			if err = a.publisher.Tick(ctx); err == nil {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}
	default:
		err = http.ErrNotSupported
	}
	if err != nil && err != http.ErrServerClosed {
		log.Error(mode, "err", err)
		os.Exit(1)
	}
}
