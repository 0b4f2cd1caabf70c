// Command trellis-api serves the Trellis APIs, publishes prices and consumes the event queue.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/apitokens"
	"example.com/trellis/internal/bus"
	"example.com/trellis/internal/carts"
	"example.com/trellis/internal/catalog"
	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/httpapi"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore/cfkv"
	"example.com/trellis/internal/kvstore/decorate"
	"example.com/trellis/internal/orders"
	"example.com/trellis/internal/pricing"
	"example.com/trellis/internal/queue"
	"example.com/trellis/internal/quota"
	"example.com/trellis/internal/retry"
	"example.com/trellis/internal/sessions"
	"example.com/trellis/internal/sqlstore"
	"example.com/trellis/internal/verify"
	"example.com/trellis/internal/webhooks"
)

const (
	publishEvery  = 5 * time.Minute
	flushEvery    = time.Minute
	loginFailures = 5
	loginWindow   = 15 * time.Minute
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(log); err != nil {
		log.Error("trellis-api stopped", "err", err)
		os.Exit(1)
	}
}

type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(ctx context.Context, to, subject, _ string) error {
	m.log.InfoContext(ctx, "mail", "to", to, "subject", subject)
	return nil
}

type directory struct{}

func (directory) Authenticate(context.Context, keys.TenantID, string, string) (string, error) {
	return "", errors.New("customer directory not configured")
}

func run(log *slog.Logger) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	clk := clock.System{}
	client := cfkv.NewClient(cfg.APIToken)
	api, err := cf.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	base := cfkv.New(client, cfg.AccountID, cfg.NamespaceID)
	store := decorate.WithObservability(decorate.WithRetry(base, retry.Default), "trellis", log)
	archive := decorate.WithPrefix(store, "archive:")
	db := sqlstore.NewMemory()
	plans := quota.NewPlans(store, clk)
	gate := quota.NewGate(plans, db, clk)
	meter := quota.NewMeter(store, clk)
	b := bus.New(log)
	repo := orders.NewArchivingRepository(orders.NewRepository(store), archive)
	orders.NewService(store, repo, db, gate, quota.NewUsage(store, clk), clk).Register(b)

	sess, err := sessions.NewManager(store, cfg.SessionTTL, clk)
	if err != nil {
		return err
	}
	consumer := queue.NewConsumer(client, cfg.AccountID, cfg.NamespaceID, store, cfg.StockWindow, log)

	deliveries := webhooks.NewDeliveryLog(api, cfg.AccountID, cfg.NamespaceID, 600)
	receiver := webhooks.NewReceiver(store, deliveries, func(ctx context.Context, t keys.TenantID, supplier string, ev webhooks.Event) error {
		msg := queue.Message{ID: ev.ID, Tenant: t, Supplier: supplier, Event: ev}
		if failed := consumer.HandleBatch(ctx, queue.Batch{Queue: "supplier-events", Messages: []queue.Message{msg}}); len(failed) > 0 {
			return errors.New("event could not be applied")
		}
		return nil
	}, cfg.WebhookDedupeTTL, clk, log)

	srv := httpapi.New(httpapi.Deps{
		Store:     decorate.WithAudit(store, clk),
		Bus:       b,
		Sessions:  sess,
		Limiter:   sessions.NewLimiter(store, loginFailures, loginWindow, clk),
		Auth:      directory{},
		Catalog:   catalog.NewCache(store, db, cfg.CatalogRefresh, log),
		Edge:      catalog.NewEdge(client, cfg.AccountID, cfg.NamespaceID),
		Wishlists: carts.NewWishlists(store, clk),
		Checkout:  carts.NewCheckout(store, clk),
		Emails:    verify.NewEmails(client, cfg.AccountID, cfg.NamespaceID, logMailer{log}, clk),
		Recovery:  verify.NewRecovery(store),
		Tokens:    apitokens.NewRegistry(api, cfg.AccountID, cfg.NamespaceID, clk),
		Meter:     meter,
		Webhooks:  receiver,
		Clock:     clk,
		CartTTL:   time.Duration(cfg.CartTTLHours) * time.Hour,
		Log:       log,
	})

	publisher := pricing.NewPublisher(api, cfg.AccountID, cfg.NamespaceID, db, publishEvery, clk, log)
	go schedule(ctx, "pricing", publishEvery, publisher.Run, log)
	go schedule(ctx, "meter", flushEvery, meter.Flush, log)

	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("POST /internal/queue/batch", func(w http.ResponseWriter, r *http.Request) {
		var batch queue.Batch
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		retryIDs := consumer.HandleBatch(r.Context(), batch)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string][]string{"retry": retryIDs})
	})

	hs := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Listen)
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// schedule runs job every interval until ctx is done.
func schedule(ctx context.Context, name string, every time.Duration, job func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(ctx); err != nil {
				log.ErrorContext(ctx, "scheduled job failed", "job", name, "err", err)
			}
		}
	}
}
