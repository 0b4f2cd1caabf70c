// Command hooksvc serves webhooks, deploy previews and device login. With
// -cron it runs the scheduled sweep once; with -consume it drains one
// batch of the delivery queue. Both modes are started by the platform's
// scheduler.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/petrel/internal/cfv4"
	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/devicelogin"
	"example.com/petrel/internal/hooksapi"
	"example.com/petrel/internal/jobs"
	"example.com/petrel/internal/middleware"
	"example.com/petrel/internal/previews"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/webhooks"
)

var (
	_ webhooks.Queue = (*pullQueue)(nil)
	_ hooksapi.SSO   = accessSSO{}
	_ storage.Store  = (*cfv4.Adapter)(nil)
)

// ProvideAdapter connects to the namespace through the v4 client.
func ProvideAdapter(cfg conf.Config) (*cfv4.Adapter, func(), error) {
	a, err := cfv4.New(cfv4.Config{
		APIToken:    cfg.APIToken,
		AccountID:   cfg.AccountID,
		NamespaceID: cfg.NamespaceID,
		Timeout:     5 * time.Second,
		MaxRetries:  2,
	})
	if err != nil {
		return nil, nil, err
	}
	return a, func() {}, nil
}

// ProvideRegistry wires the webhook registry; endpoints are probed every
// fifteen seconds.
func ProvideRegistry(a *cfv4.Adapter) *webhooks.Registry {
	return webhooks.ProvideRegistry(a, 15*time.Second)
}

func ProvideConsumer(reg *webhooks.Registry, a *cfv4.Adapter) *webhooks.Consumer {
	c := webhooks.ProvideConsumer(reg, a, &http.Client{Timeout: 15 * time.Second})
	c.OnDelivered = func(_ context.Context, m webhooks.Message, status int) {
		log.Printf("delivery %s attempt %d: %d", m.ID, m.Attempt, status)
	}
	return c
}

func ProvideSweeper(a *cfv4.Adapter) *jobs.Sweeper {
	return jobs.ProvideSweeper(a, func(_ context.Context, key string) {
		log.Printf("sweep removed %s", key)
	})
}

func ProvideServer(cfg conf.Config, h *hooksapi.Handler) *http.Server {
	var root http.Handler = h.Routes()
	root = http.TimeoutHandler(root, cfg.RequestTimeout(), "request timed out")
	root = middleware.Recover(root)
	return &http.Server{Addr: cfg.Listen, Handler: root, ReadHeaderTimeout: 5 * time.Second}
}

func main() {
	configPath := flag.String("config", "hooksvc.json", "path to the JSON config file")
	cron := flag.String("cron", "", "run the scheduled sweep for this cron expression and exit")
	consume := flag.String("consume", "", "pull one batch from this queue URL and exit")
	vacuum := flag.String("vacuum", "", "remove metadata-less keys under this prefix and exit")
	flag.Parse()

	cfg, err := conf.Load(*configPath)
	if err != nil {
		log.Fatal(err)
	}
	a, cleanup, err := ProvideAdapter(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reg := ProvideRegistry(a)
	switch {
	case *cron != "":
		ev := jobs.ScheduledEvent{Cron: *cron, ScheduledTime: time.Now().UTC().Truncate(time.Minute)}
		if err := ProvideSweeper(a).Scheduled(ctx, ev); err != nil {
			log.Fatal(err)
		}
		return
	case *vacuum != "":
		vctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		n, err := ProvideSweeper(a).Vacuum(vctx, *vacuum)
		log.Printf("vacuum removed %d keys", n)
		if err != nil {
			log.Fatal(err)
		}
		return
	case *consume != "":
		n, err := ProvideConsumer(reg, a).Consume(ctx, newPullQueue(*consume, cfg.APIToken))
		log.Printf("delivered %d messages", n)
		if err != nil {
			log.Fatal(err)
		}
		return
	}

	pv := previews.ProvideService(a, cfg)
	dev := devicelogin.ProvideService(a, cfg, "https://dash.petrel.dev/device")
	h := hooksapi.ProvideHandler(a, reg, pv, dev, accessSSO{}, cfg.SessionTTL())
	srv := ProvideServer(cfg, h)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("hooksvc listening on %s", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
