// Command gateway serves the S3-compatible API.
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

	"tui/internal/auth"
	"tui/internal/buckets"
	"tui/internal/gateway"
	"tui/internal/kvstore"
	"tui/internal/multipart"
	"tui/internal/objects"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	store := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	objs := &objects.Service{KV: store}
	ticketTTL, err := time.ParseDuration(os.Getenv("TICKET_TTL"))
	if err != nil {
		ticketTTL = 15 * time.Minute
	}
	srv := &gateway.Server{
		BaseDomain: envOr("BASE_DOMAIN", "s3.tui.dev"),
		Keys:       &auth.Keys{KV: store},
		Tickets:    &auth.Tickets{KV: store, DefaultTTL: ticketTTL},
		Sessions:   &auth.Sessions{KV: store},
		Buckets:    &buckets.Service{KV: store, Objects: objs},
		Objects:    objs,
		Multipart:  &multipart.Service{KV: store, Objects: objs, Log: log},
		Log:        log,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Addr: envOr("ADDR", ":8080"), Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("gateway listening", "addr", hs.Addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
