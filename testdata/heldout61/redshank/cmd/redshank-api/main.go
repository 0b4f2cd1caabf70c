// Command redshank-api runs the backend: the admin GraphQL API, the gRPC
// assignment API, the River job workers, the NATS subscriptions and the
// Kafka metrics ingester, all in one process.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/redshank-labs/redshank/internal/bus"
	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/gql"
	"github.com/redshank-labs/redshank/internal/ingest"
	"github.com/redshank-labs/redshank/internal/jobs"
	"github.com/redshank-labs/redshank/internal/kvstore"
	"github.com/redshank-labs/redshank/internal/rpc"
)

func main() {
	configPath := flag.String("config", "", "path to a YAML config file")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*configPath, log); err != nil {
		log.Error("exiting", "err", err)
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

	api, err := cloudflare.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		return err
	}
	ns := cfg.Cloudflare.Namespaces
	exps := kvstore.Open(api, cfg.Cloudflare.AccountID, ns.Experiments)
	sess := kvstore.Open(api, cfg.Cloudflare.AccountID, ns.Sessions)
	metrics := kvstore.Open(api, cfg.Cloudflare.AccountID, ns.Metrics)

	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	workers := river.NewWorkers()
	jobs.Register(workers, jobs.Deps{Exps: exps, Sess: sess, Metrics: metrics, Cfg: cfg, Log: log})
	riverClient, err := river.NewClient[pgx.Tx](riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}},
		Workers:      workers,
		PeriodicJobs: jobs.PeriodicJobs(cfg),
		Logger:       log,
	})
	if err != nil {
		return err
	}
	if err := riverClient.Start(ctx); err != nil {
		return err
	}

	nc, err := nats.Connect(cfg.NATS.URL, nats.Name("redshank-api"))
	if err != nil {
		return err
	}
	defer nc.Close()
	sub, err := bus.NewSubscriber(nc, exps, sess, metrics, cfg.NATS, log)
	if err != nil {
		return err
	}
	if err := sub.Start(ctx); err != nil {
		return err
	}
	defer sub.Stop()

	ingester := ingest.New(cfg.Kafka, exps, metrics, log)
	ingestDone := make(chan error, 1)
	go func() { ingestDone <- ingester.Run(ctx) }()

	resolver := gql.New(exps, sess, metrics, cfg, riverClient, log)
	mux := http.NewServeMux()
	mux.Handle("/graphql", gql.Handler(resolver))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	httpSrv := &http.Server{Addr: cfg.HTTP.Addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	grpcSrv := rpc.NewGRPCServer(rpc.NewServer(exps, sess, metrics, cfg, log))
	lis, err := net.Listen("tcp", cfg.HTTP.GRPCAddr)
	if err != nil {
		return err
	}

	errc := make(chan error, 2)
	go func() { errc <- httpSrv.ListenAndServe() }()
	go func() { errc <- grpcSrv.Serve(lis) }()
	log.Info("listening", "http", cfg.HTTP.Addr, "grpc", cfg.HTTP.GRPCAddr)

	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server stopped", "err", err)
		}
	case err := <-ingestDone:
		log.Error("ingester stopped", "err", err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutdownCtx)
	grpcSrv.GracefulStop()
	if err := riverClient.Stop(shutdownCtx); err != nil {
		log.Warn("stopping river", "err", err)
	}
	return nil
}
