// Command flagshipd runs the flag API, the console API, the upstream sync
// daemon and the usage flusher in one process.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/flagship/internal/apikeys"
	"example.com/flagship/internal/audit"
	"example.com/flagship/internal/cfapi"
	"example.com/flagship/internal/config"
	"example.com/flagship/internal/console"
	"example.com/flagship/internal/daemon"
	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/httpapi"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/metering"
	"example.com/flagship/internal/retry"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/storage/cfkv"
	"example.com/flagship/internal/storage/storemw"
	"example.com/flagship/internal/webhook"
)

// runtimeSettings are operator toggles kept in KV so they apply without a
// deploy.
type runtimeSettings struct {
	Maintenance  bool `json:"maintenance"`
	DisablePolls bool `json:"disable_polls"`
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("flagshipd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv("FLAGSHIP_CONFIG"), os.Args[1:])
	if err != nil {
		return err
	}
	cf, err := cfapi.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	decorate := func(s storage.Store) storage.Store {
		return storemw.Chain(s, storemw.Logging(log), storemw.Retry(retry.Default))
	}
	open := func(ns string) *cfkv.Adapter { return cfkv.New(cf.V6, cfg.AccountID, ns) }
	edge, sessionsKV := decorate(open(cfg.Namespaces.Flags)), decorate(open(cfg.Namespaces.Sessions))
	keysKV, usageKV := decorate(open(cfg.Namespaces.Keys)), decorate(open(cfg.Namespaces.Usage))

	var rt runtimeSettings
	raw, _ := edge.Get(ctx, "settings/runtime") // EXPECT kvnull
	_ = json.Unmarshal(raw, &rt)

	// Sessions live in their own namespace; everything else the handlers
	// touch is in the flags namespace.
	route := func(key string) storage.Store {
		if strings.HasPrefix(key, kvkey.Sessions.Prefix()) {
			return sessionsKV
		}
		return edge
	}
	ops := httpapi.Ops{
		Get: func(ctx context.Context, key string) ([]byte, error) { return route(key).Get(ctx, key) },
		Put: func(ctx context.Context, key string, v []byte, ttl time.Duration) error {
			if ttl > 0 {
				return route(key).Put(ctx, key, v, storage.WithTTL(ttl))
			}
			return route(key).Put(ctx, key, v)
		},
	}
	load := func(ctx context.Context, env string) ([]flags.Flag, int, error) {
		ns, err := cfg.EnvNamespace(env)
		if err != nil {
			return nil, 0, err
		}
		return flags.Load(ctx, decorate(open(ns)), open(ns), env)
	}

	sessions := console.NewSessions(sessionsKV, cfg.SessionTTL.Duration)
	usage := metering.NewAggregator()
	api := httpapi.New(httpapi.Deps{
		Ops:      ops,
		Edge:     edge,
		Keys:     apikeys.New(keysKV, cf.V6, cfg.AccountID, cfg.Namespaces.Keys),
		Quotas:   apikeys.NewQuotas(keysKV, cfg.MonthlyQuota),
		Audit:    audit.New(decorate(open(cfg.Namespaces.Audit))),
		Usage:    usage,
		Sessions: sessions,
		Auth: &console.Auth{CF: cf.V6, Legacy: cf.Legacy, Account: cfg.AccountID,
			Namespace: cfg.Namespaces.Sessions, Dir: staticDirectory{}, Sessions: sessions},
		Log:        log,
		RatePerMin: cfg.RatePerMinute,
		Timeout:    cfg.RequestTimeout.Duration,
	}, httpapi.WithBundleLoader(load))

	kicks := map[string]chan struct{}{}
	for env, ns := range cfg.Namespaces.Env {
		kicks[env] = make(chan struct{}, 1)
		if rt.DisablePolls {
			continue
		}
		jobs := make(chan daemon.Job, 256)
		store := decorate(open(ns))
		pool := &daemon.Pool{Store: store, Workers: cfg.Workers, Timeout: cfg.RequestTimeout.Duration, Log: log}
		go pool.Run(ctx, jobs)
		p := &daemon.Poller{Env: env, Fetch: daemon.HTTPFetcher(cfg.Upstream, http.DefaultClient), Store: store,
			Jobs: jobs, Interval: cfg.PollInterval.Duration, MaxPages: cfg.MaxExportPages, Log: log, Kick: kicks[env]}
		go p.Run(ctx)
	}
	flusher := &daemon.Flusher{API: cf.Legacy, Account: cfg.AccountID, Namespace: cfg.Namespaces.Usage,
		Agg: usage, Meter: metering.New(usageKV, 35*24*time.Hour), Every: cfg.FlushEvery.Duration, Log: log}
	go flusher.Run(ctx)

	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.Handle("POST /hooks/upstream", &webhook.Receiver{CF: cf.V6, Account: cfg.AccountID, Namespace: cfg.Namespaces.Flags, Log: log,
		Trigger: func(env string) {
			select {
			case kicks[env] <- struct{}{}:
			default:
			}
		}})
	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Listen, "maintenance", rt.Maintenance)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return ctx.Err()
}

// staticDirectory reads operators from FLAGSHIP_OPERATORS
// ("alice=admin:<sha256 hex>,bob=viewer:<sha256 hex>").
type staticDirectory struct{}

func (staticDirectory) lookup(user string) (role, hash string) {
	for _, entry := range strings.Split(os.Getenv("FLAGSHIP_OPERATORS"), ",") {
		name, rest, _ := strings.Cut(entry, "=")
		if name == user {
			role, hash, _ = strings.Cut(rest, ":")
			return role, hash
		}
	}
	return "", ""
}

func (d staticDirectory) PasswordHash(_ context.Context, user string) ([]byte, error) {
	_, h := d.lookup(user)
	return hex.DecodeString(h) // unknown users get an empty hash, which nothing matches
}

func (d staticDirectory) Role(_ context.Context, user string) string {
	role, _ := d.lookup(user)
	return role
}
