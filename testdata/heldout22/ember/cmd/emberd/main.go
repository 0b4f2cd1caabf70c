// Command emberd runs the Ember fleet API and its background jobs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	optv2 "github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/ember/internal/auth"
	"example.com/ember/internal/clock"
	"example.com/ember/internal/docks"
	"example.com/ember/internal/exports"
	"example.com/ember/internal/geofence"
	"example.com/ember/internal/jobs"
	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/leaderboard"
	"example.com/ember/internal/legacy/v2mirror"
	"example.com/ember/internal/maintenance"
	"example.com/ember/internal/memkv"
	"example.com/ember/internal/quota"
	"example.com/ember/internal/repo"
	"example.com/ember/internal/rides"
	"example.com/ember/internal/server"
	"example.com/ember/internal/stats"
	"example.com/ember/internal/unlock"
	"example.com/ember/internal/wallet"
)

// collections is the key space layout; each entry becomes a repository.
var collections = []struct {
	Name   string
	TTL    time.Duration
	Prefix string
}{
	{Name: "docks", TTL: 0, Prefix: "dock:"},
	{Name: "tickets", TTL: 180 * 24 * time.Hour, Prefix: "ticket:"},
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	account, namespace := env("CF_ACCOUNT_ID", ""), env("EMBER_KV_NAMESPACE", "")
	client := cloudflare.NewClient(option.WithAPIToken(env("CF_API_TOKEN", "")), option.WithMaxRetries(3))
	var store kvstore.BulkStore = kvstore.NewCloudflare(client, account, namespace, kvstore.WithLogger(log), kvstore.WithTimeout(5*time.Second))
	if env("EMBER_STORE", "kv") == "memory" {
		store = memkv.New()
	}
	cities := strings.Split(env("EMBER_CITIES", "lisbon,porto,braga"), ",")

	cols := map[string]repo.Collection{}
	for _, c := range collections {
		cols[c.Name] = repo.Collection{Name: c.Name, TTL: c.TTL, Prefix: c.Prefix}
	}
	cacheTTL, err := time.ParseDuration(env("EMBER_CACHE_TTL", "5m"))
	if err != nil {
		log.Error("bad EMBER_CACHE_TTL", "err", err)
		os.Exit(2)
	}

	dockSvc := docks.NewService(store, repo.New[docks.Dock](store, cols["docks"]), fleetTelemetry{}, cacheTTL)
	tickets := maintenance.NewService(store, repo.New[maintenance.Ticket](store, cols["tickets"]), client, account, namespace)
	boards := leaderboard.NewService(store, client, account, namespace, warehouse{})
	geo := geofence.NewService(store, gisSource{}, client, account, namespace, cacheTTL)
	exporter := exports.NewExporter(store, client, account, namespace, discardSink{}, exports.WithLogger(log))
	tally := stats.NewTally(store, "tally:", 7*24*time.Hour)
	addTally := tally.Add

	deps := server.Deps{
		Docks:     dockSvc,
		Unlock:    unlock.NewService(store, unlock.WithCodeTTL(3*time.Minute)),
		Wallet:    wallet.NewService(store, client, account, namespace),
		Boards:    boards,
		Auth:      auth.NewService(store, client, account, namespace, auth.WithSessionTTL(8*time.Hour)),
		Quota:     quota.NewLimiter(store, client, account, namespace, func(context.Context, string) (quota.Plan, error) { return quota.DefaultPlan, nil }),
		Store:     store,
		CF:        client,
		Account:   account,
		Namespace: namespace,
		Log:       log,
		Record: func(r *http.Request, event string) {
			if err := addTally(r.Context(), event, 1); err != nil {
				log.Debug("tally not recorded", "event", event, "err", err)
			}
		},
	}
	srv := server.New(deps)

	jobEnv := jobs.Env{Store: store, Client: client, Account: account, Namespace: namespace, Cities: cities, Logger: log, Clock: clock.System{}}
	jobEnv = jobEnv.With("docks", dockSvc).With("leaderboard", boards).With("exports", exporter).With("tickets", tickets).With("geofence", geo)
	sched, err := jobs.NewScheduler(jobEnv, strings.Split(env("EMBER_JOBS", strings.Join(jobs.Registered(), ",")), ","))
	if err != nil {
		log.Error("scheduler", "err", err)
		os.Exit(2)
	}
	go sched.Run(ctx)
	if legacyNS := env("EMBER_LEGACY_NAMESPACE", ""); legacyNS != "" {
		mirror := v2mirror.New(cfv2.NewClient(optv2.WithAPIToken(env("CF_API_TOKEN", ""))), account, legacyNS, namespace, 6*time.Hour)
		go func() {
			n, err := mirror.Sync(ctx, "dispatch:")
			log.Info("legacy mirror", "copied", n, "err", err)
		}()
	}

	mux := http.NewServeMux()
	mux.Handle("/", srv.Handler())
	rideConsumer := rides.NewConsumer(store, boards, boards.AddDistance, log)
	mux.HandleFunc("POST /internal/queues/rides", queueHandler(log, func(ctx context.Context, b *queueBatch) { rideConsumer.HandleBatch(ctx, b.batch()) }))

	httpSrv := &http.Server{Addr: env("EMBER_ADDR", ":8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", httpSrv.Addr, "jobs", jobs.Registered())
	if err := httpSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server", "err", err)
		os.Exit(1)
	}
}

func queueHandler(log *slog.Logger, handle func(context.Context, *queueBatch)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b queueBatch
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		handle(r.Context(), &b)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(b.results())
	}
}
