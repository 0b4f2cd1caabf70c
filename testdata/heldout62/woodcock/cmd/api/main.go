// Command api serves the backend's HTTP surface: the dispatch Connect
// service, the menu REST API and the live-tracking WebSockets.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"connectrpc.com/connect"

	"github.com/fleetbite/woodcock/internal/dispatch"
	"github.com/fleetbite/woodcock/internal/gen/dispatch/v1/dispatchv1connect"
	"github.com/fleetbite/woodcock/internal/kvstore"
	"github.com/fleetbite/woodcock/internal/livetrack"
	"github.com/fleetbite/woodcock/internal/menu"
	"github.com/fleetbite/woodcock/internal/menu/menuapi"
	"github.com/fleetbite/woodcock/internal/rpc"
	"github.com/fleetbite/woodcock/internal/rpcauth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns, err := kvstore.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	services := newServiceClient(os.Getenv("INTERNAL_SERVICES_URL"))

	cfg := dispatch.Config{
		ProfileCacheTTL: 10 * time.Minute,
		EtaQuoteTTL:     envDuration("ETA_QUOTE_TTL", 3*time.Minute),
	}
	mux := http.NewServeMux()
	mux.Handle(dispatchv1connect.NewDispatchServiceHandler(
		dispatch.NewService(ns, services, services, cfg),
		connect.WithCodec(rpc.JSONCodec{}),
		connect.WithInterceptors(
			rpcauth.ConsoleSessions(ns),
			rpcauth.APIKeys(ns),
			rpcauth.Quota(ns, 50_000),
			rpcauth.Idempotency(ns, envDuration("IDEMPOTENCY_WINDOW", 10*time.Minute)),
		),
	))

	menuapi.HandlerWithOptions(
		menuapi.NewStrictHandler(menu.NewServer(ns, services, []string{"en", "pt", "es"}), nil),
		menuapi.StdHTTPServerOptions{BaseURL: "/v1", BaseRouter: mux},
	)

	hub := &livetrack.Hub{KV: ns}
	mux.HandleFunc("GET /live/courier", hub.ServeCourier)
	mux.HandleFunc("GET /live/orders/{orderId}", hub.ServeCustomer)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		log.Printf("ignoring %s=%q", name, v)
	}
	return def
}
