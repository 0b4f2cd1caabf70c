// Command fleetd is the fleet telemetry API server.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/fleetline/dotterel/internal/alerts"
	"github.com/fleetline/dotterel/internal/auth"
	"github.com/fleetline/dotterel/internal/checkin"
	"github.com/fleetline/dotterel/internal/kvstore"
	"github.com/fleetline/dotterel/internal/sweeper"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	store := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_NAMESPACE"))

	origin := func(ctx context.Context, tenant, device string) ([]byte, error) {
		return nil, errors.New("registry not configured")
	}
	plans := func(tenant string) string { return os.Getenv("FLEET_DEFAULT_PLAN") }
	ch := checkin.New(store, origin, plans)
	dd := alerts.NewDeduper(store.WithPrefix("alerts/"), func(ctx context.Context, device string) (string, error) {
		return "", alerts.ErrNoOwner
	})
	sessions := auth.NewManager(store.WithPrefix("console/"))
	sw := sweeper.New(store, ch.Seen, 30*time.Second)

	go sw.FlushLoop(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/checkin", ch.ServeCheckin)
	mux.HandleFunc("GET /v1/devices/{id}/status", ch.ServeStatus)
	mux.HandleFunc("POST /v1/alerts", dd.ServeLatest)
	mux.HandleFunc("POST /console/logout", sessions.Logout)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
