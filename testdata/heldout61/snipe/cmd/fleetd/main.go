// Command fleetd is the fleet backend: the device gRPC API, the console's
// GraphQL and HTTP endpoints, the NATS and Kafka consumers and the River
// workers.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	_ "github.com/lib/pq"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/events"
	"github.com/fleetwire/snipe/internal/graph"
	"github.com/fleetwire/snipe/internal/grpcapi"
	"github.com/fleetwire/snipe/internal/ingest"
	"github.com/fleetwire/snipe/internal/jobs"
	"github.com/fleetwire/snipe/internal/kvstore"
)

func main() {
	configPath := flag.String("config", "", "path to fleetd.yaml")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*configPath, log); err != nil {
		log.Error("fleetd stopped", "err", err)
		os.Exit(1)
	}
}

func run(configPath string, log *slog.Logger) error {
	cfg, err := config.Load(configPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(3))
	store := kvstore.New(api, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID)

	db, err := sql.Open("postgres", cfg.River.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	runner, err := jobs.NewRunner(db, store, cfg, log)
	if err != nil {
		return err
	}
	if err := runner.Start(ctx); err != nil {
		return err
	}

	// gRPC device API.
	icpt := grpcapi.NewInterceptors(store, cfg.GRPC, log)
	gs := grpc.NewServer(icpt.ServerOptions()...)
	grpcapi.RegisterFleetServer(gs, grpcapi.NewServer(store, cfg, log))
	lis, err := net.Listen("tcp", cfg.GRPC.Addr)
	if err != nil {
		return err
	}
	go func() {
		if err := gs.Serve(lis); err != nil {
			log.Error("grpc serve", "err", err)
		}
	}()

	// Console API and the load balancer's KV probe.
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", graph.Handler(graph.NewResolver(store, cfg, runner, log)))
	mux.HandleFunc("GET /healthz/kv", func(w http.ResponseWriter, r *http.Request) {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if err := store.Put(r.Context(), "health:probe", stamp, 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	hs := &http.Server{Addr: cfg.HTTP.Addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http serve", "err", err)
		}
	}()

	// NATS subjects and the firmware-report stream.
	nc, err := nats.Connect(cfg.NATS.URL, nats.Name("fleetd"), nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Drain()
	subs := events.NewSubscribers(store, cfg, nc, log)
	if _, err := subs.Start(); err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cc, err := subs.ConsumeFirmwareReports(ctx, js)
	if err != nil {
		return err
	}
	defer cc.Stop()

	// Kafka topics.
	consumer := ingest.NewConsumer(store, cfg.Kafka, cfg.Telemetry, jobs.Usage, log)
	go func() {
		if err := consumer.Run(ctx); err != nil {
			log.Error("kafka consumer", "err", err)
			stop()
		}
	}()
	go func() {
		if err := consumer.RunAlertBatches(ctx); err != nil {
			log.Error("kafka alert consumer", "err", err)
			stop()
		}
	}()

	<-ctx.Done()
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	gs.GracefulStop()
	_ = hs.Shutdown(shutdown)
	return runner.Stop(shutdown)
}
