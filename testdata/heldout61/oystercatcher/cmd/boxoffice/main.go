// Command boxoffice runs the ticketing backend: the GraphQL API, the
// scanner gRPC service, the River workers and the NATS and Kafka consumers.
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

	_ "github.com/lib/pq"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/boxoffice/oystercatcher/internal/config"
	"github.com/boxoffice/oystercatcher/internal/events"
	"github.com/boxoffice/oystercatcher/internal/graph"
	"github.com/boxoffice/oystercatcher/internal/jobs"
	"github.com/boxoffice/oystercatcher/internal/kvstore"
	"github.com/boxoffice/oystercatcher/internal/organiser"
	"github.com/boxoffice/oystercatcher/internal/scanner"
	"github.com/boxoffice/oystercatcher/internal/stream"
)

func main() {
	cfgPath := flag.String("config", "/etc/boxoffice/config.yaml", "path to the YAML config")
	flag.Parse()
	if err := run(*cfgPath); err != nil {
		slog.Error("boxoffice stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfgPath string) error {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open("postgres", cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()

	cf := kvstore.Client(cfg.Cloudflare.APIToken)
	store := kvstore.New(cf, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID)
	sessStore := kvstore.New(cf, cfg.Cloudflare.AccountID, cfg.Cloudflare.SessionNamespaceID)
	sessions := organiser.NewSessions(sessStore, cfg.Sessions.TTL, cfg.Sessions.MagicLinkTTL)

	riverClient, err := jobs.NewClient(jobs.Deps{
		DB:       db,
		KV:       store,
		Payments: &psp{client: &http.Client{Timeout: 15 * time.Second}},
		Render:   renderReceipt,
		Cfg:      cfg,
	})
	if err != nil {
		return err
	}
	if err := riverClient.Start(ctx); err != nil {
		return err
	}

	nc, err := nats.Connect(cfg.NATS.URL, nats.Name("boxoffice"), nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Drain()
	projector := &events.Projector{KV: store, SessKV: sessStore}
	if _, err := projector.Subscribe(nc); err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	admissions := &events.Admissions{KV: store, AdmitWindow: cfg.WaitRoom.AdmitWindow, PollTTL: cfg.WaitRoom.PollTTL}
	admitCC, err := admissions.Start(ctx, js, cfg.NATS.Stream, cfg.NATS.AdmitConsumer)
	if err != nil {
		return err
	}
	defer admitCC.Stop()

	consumer := &stream.Consumer{
		Reader:   stream.NewReader(cfg.Kafka.Brokers, cfg.Kafka.GroupID),
		KV:       store,
		Sessions: sessions,
		EventTTL: cfg.Cache.EventTTL,
	}
	go func() {
		if err := consumer.Run(ctx); err != nil {
			slog.Error("kafka consumer", "err", err)
			stop()
		}
	}()
	gates := &stream.GateBatcher{
		Reader: stream.NewGateReader(cfg.Kafka.Brokers, cfg.Kafka.GroupID+"-gates"),
		KV:     store,
		Size:   500,
		Linger: 2 * time.Second,
	}
	go func() {
		if err := gates.Run(ctx); err != nil {
			slog.Error("gate batcher", "err", err)
			stop()
		}
	}()

	grpcServer := scanner.NewGRPCServer(scanner.NewServer(store, cfg.Scanner))
	lis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return err
	}
	go func() { _ = grpcServer.Serve(lis) }()

	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.Handler(&graph.Resolver{
		KV:       store,
		Sessions: sessions,
		Catalog:  &graph.Catalog{DB: db},
		Mailer:   sendLoginMail,
		Cfg:      cfg,
	}))
	mux.Handle("/webhooks/psp", &pspWebhook{kv: store, river: riverClient, secret: []byte(os.Getenv("PSP_WEBHOOK_SECRET"))})
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("http", "err", err)
			stop()
		}
	}()

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	grpcServer.GracefulStop()
	_ = srv.Shutdown(shutdown)
	return riverClient.Stop(shutdown)
}
