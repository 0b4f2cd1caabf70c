// Command magpie-api runs the media backend.
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

	"github.com/magpie-media/magpie/internal/admin"
	"github.com/magpie-media/magpie/internal/api"
	"github.com/magpie-media/magpie/internal/kvrest"
	"github.com/magpie-media/magpie/internal/media/downloads"
	"github.com/magpie-media/magpie/internal/media/purge"
	"github.com/magpie-media/magpie/internal/media/uploads"
	"github.com/magpie-media/magpie/internal/media/variants"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	ns := func(env string) *kvrest.Namespace {
		n := kvrest.Open(token, account, os.Getenv(env))
		n.Name = env
		return n
	}
	base, err := url.Parse(env("MAGPIE_DOWNLOAD_BASE", "https://dl.magpie.media"))
	if err != nil {
		log.Error("bad download base", "err", err)
		os.Exit(2)
	}
	dailyPurges, _ := strconv.Atoi(env("MAGPIE_DAILY_PURGES", "500"))
	srv := &api.Server{
		Variants: &variants.Service{KV: ns("KV_VARIANTS"), Origin: originDB{}, Log: log, CacheFor: envDuration("MAGPIE_MANIFEST_CACHE", 10*time.Minute)},
		Uploads:  &uploads.Manager{KV: ns("KV_UPLOADS"), Window: envDuration("MAGPIE_UPLOAD_WINDOW", 24*time.Hour), Idle: 2 * time.Hour},
		Links:    &downloads.Issuer{KV: ns("KV_LINKS"), Secret: []byte(os.Getenv("MAGPIE_LINK_SECRET")), Base: base, Lifetime: envDuration("MAGPIE_LINK_LIFETIME", time.Hour)},
		Purges:   &purge.Queue{KV: ns("KV_PURGE"), DailyLimit: dailyPurges, Retain: 14 * 24 * time.Hour},
		Console:  &admin.Sessions{KV: ns("KV_SESSIONS"), MaxAttempts: 5},
		Log:      log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hs := &http.Server{Addr: env("MAGPIE_ADDR", ":8080"), Handler: srv.Routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// originDB loads manifests from the catalogue database; the SQL lives in the
// catalogue service and is reached over its internal API.
type originDB struct{}

func (originDB) LoadManifest(ctx context.Context, imageID string) (*variants.Manifest, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://catalogue.internal/images/"+url.PathEscape(imageID)+"/manifest", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, errors.New("catalogue: " + res.Status)
	}
	var m variants.Manifest
	return &m, decodeJSON(res, &m)
}
