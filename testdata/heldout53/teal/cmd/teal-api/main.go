// Command teal-api serves the registry mirror's HTTP API.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/tealpkg/teal/internal/httpapi"
	"github.com/tealpkg/teal/internal/kvstore"
	"github.com/tealpkg/teal/internal/registry"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func main() {
	kv, err := kvstore.Default()
	if err != nil {
		slog.Error("kv client", "err", err)
		os.Exit(1)
	}
	base, err := url.Parse(os.Getenv("TEAL_UPSTREAM"))
	if err != nil {
		slog.Error("upstream url", "err", err)
		os.Exit(1)
	}
	ns := kvstore.Namespaces{
		Meta:     kvstore.Namespace(os.Getenv("TEAL_KV_META")),
		Auth:     kvstore.Namespace(os.Getenv("TEAL_KV_AUTH")),
		Counters: kvstore.Namespace(os.Getenv("TEAL_KV_COUNTERS")),
		Index:    kvstore.Namespace(os.Getenv("TEAL_KV_INDEX")),
	}
	app := httpapi.New(kv, ns, httpapi.Config{
		PublishLimit:  envInt("TEAL_PUBLISH_LIMIT", 20),
		PublishWindow: time.Duration(envInt("TEAL_PUBLISH_WINDOW_SECONDS", 60)) * time.Second,
		QuotaBytes:    int64(envInt("TEAL_QUOTA_MB", 2048)) << 20,
		ViewSample:    int64(envInt("TEAL_VIEW_SAMPLE", 50)),
		Upstream:      registry.Upstream{Base: base, Client: &http.Client{Timeout: 15 * time.Second}},
	})

	srv := &http.Server{Addr: ":" + os.Getenv("PORT"), Handler: app.Routes(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}
