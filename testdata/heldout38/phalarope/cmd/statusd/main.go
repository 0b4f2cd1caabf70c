// Command statusd serves the public status page and refreshes component
// state once a minute.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kvnext"
	"github.com/tollgate-dev/phalarope/internal/retry"
	"github.com/tollgate-dev/phalarope/internal/statuspage"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	probes := map[string]string{}
	for _, kvp := range strings.Split(os.Getenv("STATUS_PROBES"), ",") {
		if id, url, ok := strings.Cut(kvp, "="); ok {
			probes[id] = url
		}
	}
	host, _ := os.Hostname()
	svc := &statuspage.Service{
		Store:   kvnext.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_STATUS_NAMESPACE")),
		Clock:   clock.System{},
		HTTP:    &http.Client{Timeout: 3 * time.Second},
		Probes:  probes,
		Breaker: &retry.Breaker{Threshold: 3, Cooldown: 2 * time.Minute},
		Log:     log,
		GQLURL:  os.Getenv("GRAPHQL_URL"),
		Holder:  host,
	}

	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(ctx, 45*time.Second)
				if err := svc.Refresh(rctx); err != nil {
					log.Warn("refresh", "err", err)
				}
				cancel()
			}
		}
	}()

	srv := &http.Server{Addr: ":8081", Handler: svc, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
