// Command pukeko-api serves the subscriber API and the dashboard API.
package main

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"pukeko/internal/api"
	"pukeko/internal/export"
	"pukeko/internal/kvstore"
	"pukeko/internal/optin"
	"pukeko/internal/sending"
	"pukeko/internal/stats"
)

type logMailer struct{ log *slog.Logger }

func (m logMailer) SendConfirmation(ctx context.Context, email, list, link string) error {
	m.log.InfoContext(ctx, "confirmation queued", "list", list, "link", link)
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	ns := func(env, name string) *kvstore.Namespace {
		return kvstore.Open(token, account, os.Getenv(env), name)
	}
	subs, limits, cache := ns("KV_SUBSCRIBERS", "subscribers"), ns("KV_LIMITS", "limits"), ns("KV_CACHE", "cache")
	statsNS := ns("KV_STATS", "stats")

	lifetime, err := time.ParseDuration(cmp.Or(os.Getenv("SESSION_LIFETIME"), "12h"))
	if err != nil {
		log.Error("SESSION_LIFETIME", "err", err)
		os.Exit(2)
	}
	root, err := os.OpenRoot(cmp.Or(os.Getenv("EXPORT_DIR"), "/var/lib/pukeko/exports"))
	if err != nil {
		log.Error("export dir", "err", err)
		os.Exit(2)
	}
	defer root.Close()

	fbl := &sending.ComplaintCounter{KV: statsNS}
	srv := &api.Server{
		Optin:    &optin.Service{Subs: subs, Limits: limits, Mail: logMailer{log}, BaseURL: cmp.Or(os.Getenv("EDGE_URL"), "https://e.pukeko.email")},
		Sessions: &optin.Sessions{KV: ns("KV_SESSIONS", "sessions"), Lifetime: lifetime},
		Export:   &export.Exporter{Subs: subs, Jobs: cache, Root: root},
		Stats:    &stats.Store{KV: statsNS, Events: ns("KV_EVENTS", "events"), Node: cmp.Or(os.Getenv("HOSTNAME"), "api")},
		Bounces:  &sending.Bounces{KV: subs},
		Fbl:      fbl,
		Limits:   limits,
		Cache:    cache,
		Domains:  ns("KV_DOMAINS", "domains"),
		Log:      log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := fbl.Flush(ctx); err != nil {
					log.Warn("complaint flush", "err", err)
				}
			}
		}
	}()

	hs := &http.Server{Addr: cmp.Or(os.Getenv("ADDR"), ":8080"), Handler: srv.Routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
		if err := fbl.Flush(shutdown); err != nil {
			log.Warn("final complaint flush", "err", err)
		}
	}()
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
}
