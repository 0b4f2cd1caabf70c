// Command ratepublisher publishes nightly rates to the edge namespace on
// a fixed schedule and serves the extranet's "publish now" button.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"pochard/internal/edgekv"
	"pochard/internal/rates"
)

type engine struct{}

func (engine) Hotels(context.Context) ([]string, error) { return nil, nil }

func (engine) Nightly(context.Context, string, time.Time, int) ([]rates.Rate, error) {
	return nil, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	store := edgekv.New(client, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_EDGE_RATES"))
	pub := rates.NewPublisher(store, engine{})
	sync := rates.Syncer{Store: store}

	mux := http.NewServeMux()
	mux.Handle("POST /extranet/publish", rates.PublishNowHandler{Publisher: pub})
	go func() { _ = http.ListenAndServe(":8081", mux) }()

	every := 15 * time.Minute
	if v, err := time.ParseDuration(os.Getenv("PUBLISH_EVERY")); err == nil && v > 0 {
		every = v
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case at := <-tick.C:
			if err := pub.OnTick(ctx, at); err != nil {
				slog.Error("publish", "err", err)
			}
			if at.Hour() == 3 && at.Minute() < int(every/time.Minute) {
				if n, err := sync.Resync(ctx); err != nil {
					slog.Error("resync", "err", err)
				} else {
					slog.Info("resync", "rewritten", n)
				}
			}
		}
	}
}
