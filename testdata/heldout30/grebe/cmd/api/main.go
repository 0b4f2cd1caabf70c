// Command api is the Grebe backend: it owns billing integrations and writes
// the data the edge Worker serves.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/grebe/backend/cfkv"
	"example.com/grebe/backend/daypass"
	"example.com/grebe/backend/passes"
	"example.com/grebe/internal/config"
	"example.com/grebe/internal/instrument"
	"example.com/grebe/internal/jobs"
	"example.com/grebe/internal/store"
)

type deps struct {
	cfg        config.Config
	log        *slog.Logger
	kv         store.Store
	daypass    *daypass.Service
	passes     *passes.Service
	tombstones passes.Tombstones
	jobs       *jobs.Queue
	adminKey   string
}

func wire() (deps, error) {
	cfg, err := config.Load()
	if err != nil {
		return deps{}, err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	token := os.Getenv("CF_API_TOKEN")
	if token == "" {
		return deps{}, errors.New("api: CF_API_TOKEN is required")
	}
	account := os.Getenv("CF_ACCOUNT_ID")
	nsID := os.Getenv("GREBE_KV_NAMESPACE_ID")
	client := cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
	rec := instrument.Log(log, 500*time.Millisecond)
	port := cfkv.New(client, account, nsID)
	pay := newProvider(os.Getenv("PAYMENTS_URL"), os.Getenv("PAYMENTS_KEY"))
	return deps{
		cfg:        cfg,
		log:        log,
		kv:         instrument.Wrap(port, rec, "cfkv"),
		daypass:    daypass.New(client, account, nsID, pay),
		passes:     passes.New(client, account, nsID, pay),
		tombstones: passes.NewTombstones(instrument.Wrap(port, rec, "tombstones")),
		jobs:       jobs.New(32, log),
		adminKey:   os.Getenv("ADMIN_KEY"),
	}, nil
}

// schedule pushes the periodic sync jobs onto the queue.
func (d deps) schedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_ = d.jobs.Push("daypass-sync", func(ctx context.Context) error {
			n, err := d.daypass.Sync(ctx)
			d.log.InfoContext(ctx, "day passes synced", "n", n)
			return err
		})
		_ = d.jobs.Push("pass-sync", func(ctx context.Context) error {
			n, err := d.passes.Sync(ctx)
			d.log.InfoContext(ctx, "passes synced", "n", n)
			return err
		})
		for _, site := range d.cfg.Sites {
			id := site.ID
			_ = d.jobs.Push("settings:"+id, func(ctx context.Context) error {
				return d.daypass.EnsureSettings(ctx, siteID(id))
			})
		}
	}
}

func main() {
	d, err := wire()
	if err != nil {
		slog.Error("start-up failed", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go d.jobs.Run(ctx)
	go d.schedule(ctx, 5*time.Minute)

	srv := &http.Server{
		Addr:              ":8080",
		Handler:           routes(d),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		d.log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}
