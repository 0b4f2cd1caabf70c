// Command tollgate runs the API marketplace gateway backend and its operator
// tooling.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"golang.org/x/sync/errgroup"

	"example.com/tollgate/internal/accesslist"
	"example.com/tollgate/internal/admin/kvadmin"
	"example.com/tollgate/internal/apikeys"
	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/billing"
	"example.com/tollgate/internal/catalog"
	"example.com/tollgate/internal/config"
	"example.com/tollgate/internal/cronjobs"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/httpapi"
	"example.com/tollgate/internal/legacy/catalogsync"
	"example.com/tollgate/internal/metering"
	"example.com/tollgate/internal/portal"
	"example.com/tollgate/internal/ratelimit"
	"example.com/tollgate/internal/sharelinks"
	"example.com/tollgate/internal/storage"
	_ "example.com/tollgate/internal/storage/kvstore"
	_ "example.com/tollgate/internal/storage/memstore"
	"example.com/tollgate/internal/storage/mw"
	"example.com/tollgate/internal/subscriptions"
	"example.com/tollgate/internal/webhooks"
)

// requestHandler adds the request id from the context to every record.
type requestHandler struct{ slog.Handler }

func (h requestHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := httpapi.RequestIDFrom(ctx); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestHandler) WithGroup(name string) slog.Handler {
	return requestHandler{h.Handler.WithGroup(name)}
}

func newLogger(level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	return slog.New(requestHandler{slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lv})})
}

func main() {
	cfgPath := flag.String("config", os.Getenv("TOLLGATE_CONFIG"), "path to the JSON configuration file")
	selfHosted := flag.Bool("self-hosted", false, "keep rate-limit windows in KV instead of the counter object")
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	args := flag.Args()
	if len(args) == 0 {
		args = []string{"serve"}
	}
	switch args[0] {
	case "serve":
		err = serve(ctx, cfg, log, *selfHosted)
	case "cron":
		r := cronjobs.New(cfClient(cfg), cfg.AccountID, cfg.NamespaceID, authority.NewDB(seedPlans()...), log)
		err = r.Trigger(ctx, args[len(args)-1], time.Now())
	case "admin":
		err = runAdmin(ctx, cfg, log, args[1:])
	case "sync-legacy":
		db := authority.NewDB(seedPlans()...)
		err = catalogsync.New(cfg.APIToken, cfg.AccountID, cfg.NamespaceID, cfg.CatalogTTL, db, log).Sync(ctx)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("tollgate exited", "err", err)
		os.Exit(1)
	}
}

func cfClient(cfg config.Config) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
}

func seedPlans() []domain.Plan {
	return []domain.Plan{
		{ID: "free", Name: "Free", MonthlyQuota: 10_000, RatePerMinute: 60, Public: true},
		{ID: "pro", Name: "Pro", PriceCents: 4900, MonthlyQuota: 1_000_000, RatePerMinute: 600, Public: true, Features: []string{"webhooks"}},
		{ID: "enterprise", Name: "Enterprise", PriceCents: 99900, MonthlyQuota: 50_000_000, RatePerMinute: 6000, Public: true, Features: []string{"sso", "webhooks", "ip-allowlists"}},
	}
}

// maintenanceWatch keeps an in-memory copy of the maintenance flag, polled
// from the raw store, so request paths never read it themselves.
func maintenanceWatch(ctx context.Context, st storage.Getter, every time.Duration, flagOn *atomic.Bool, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		raw, err := st.Get(ctx, "maintenance:flag")
		switch {
		case err == nil:
			var f struct {
				Enabled bool `json:"enabled"`
			}
			if json.Unmarshal(raw, &f) == nil {
				flagOn.Store(f.Enabled)
			}
		case storage.IsNotFound(err):
			flagOn.Store(false)
		default:
			log.WarnContext(ctx, "polling maintenance flag", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, selfHosted bool) error {
	raw, err := storage.Open(cfg.Driver, storage.DriverConfig{
		AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID, APIToken: cfg.APIToken,
	})
	if err != nil {
		return err
	}
	var frozen atomic.Bool
	st := storage.Chain(raw,
		mw.Logging(log),
		mw.Namespaced(cfg.KeyPrefix),
		mw.ReadOnly(frozen.Load),
	)

	db := authority.NewDB(seedPlans()...)
	counter := authority.NewCounter()
	cf := cfClient(cfg)

	var limiter ratelimit.Limiter = ratelimit.NewObject(counter, cfg.RateWindow)
	if selfHosted {
		limiter = ratelimit.NewKV(st, cfg.RateWindow)
	}
	var sink metering.Sink = metering.NewD1Sink(db, st, cfg.UsageViewTTL)
	if selfHosted {
		sink = metering.NewKVSink(st)
	}
	meter := metering.NewRecorder(st, sink, metering.Config{
		FlushEvery: cfg.FlushEvery, FlushSize: cfg.FlushSize, QueueSize: 4 * cfg.FlushSize, PendingTTLMs: cfg.PendingTTLMs,
	}, log)
	cat := catalog.New(st, db, catalog.Config{TTL: cfg.CatalogTTL, Refresh: cfg.CatalogRefresh}, log)
	hooks := webhooks.New(st, cfg.WebhookPool, cfg.WebhookQueue, log)
	pt := portal.New(cf, cfg.AccountID, cfg.NamespaceID, cfg.SessionTTL(), cfg.OAuthStateTTL(), log)
	bill := billing.New(st, db, cfg.BillingGrace, cfg.ExportPageMax, log)
	cron := cronjobs.New(cf, cfg.AccountID, cfg.NamespaceID, db, log)

	api := httpapi.New(httpapi.Deps{
		Store: st,
		Keys: apikeys.New(st, apikeys.Config{
			Lifetime: cfg.KeyLifetime, TombstoneRetention: cfg.TombstoneRetention, MaxFailed: cfg.MaxFailedAuth,
		}, log),
		Catalog:  cat,
		Limiter:  limiter,
		Meter:    meter,
		ACL:      accesslist.New(st),
		Subs:     subscriptions.New(st, db, log),
		Links:    sharelinks.New(st, cfg.ShareLinkMax),
		AdminKey: os.Getenv("TOLLGATE_ADMIN_KEY"),
		Log:      log,
	})
	mux := http.NewServeMux()
	mux.Handle("/", api.Handler())
	mux.HandleFunc("POST /portal/login", pt.HandleLogin)
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return maintenanceWatch(gctx, raw, 30*time.Second, &frozen, log) })
	g.Go(func() error { return cat.Run(gctx) })
	g.Go(func() error { return meter.Run(gctx) })
	g.Go(func() error { return hooks.Run(gctx) })
	g.Go(func() error { return schedule(gctx, cron, bill, log) })
	g.Go(func() error {
		log.Info("listening", "addr", cfg.ListenAddr, "drivers", strings.Join(storage.Drivers(), ","))
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 15*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	return g.Wait()
}

// schedule fires the minute jobs every minute and the billing close nightly,
// resuming from the cursor the previous run stopped at.
func schedule(ctx context.Context, cron *cronjobs.Runner, bill *billing.Service, log *slog.Logger) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	var cursor string
	for {
		select {
		case <-ctx.Done():
			return nil
		case at := <-t.C:
			for _, job := range []string{"heartbeat", "maintenance"} {
				if err := cron.Trigger(ctx, job, at); err != nil {
					log.ErrorContext(ctx, "cron job failed", "job", job, "err", err)
				}
			}
			if at.UTC().Hour() == 2 && at.Minute() < 10 {
				next, err := bill.ClosePeriods(ctx, at, cursor)
				if err != nil {
					log.ErrorContext(ctx, "closing billing periods", "err", err)
				}
				cursor = next
			}
		}
	}
}

func runAdmin(ctx context.Context, cfg config.Config, log *slog.Logger, args []string) error {
	a := kvadmin.New(cfClient(cfg), cfg.AccountID, cfg.NamespaceID, log)
	args = append(args, "", "")
	switch args[0] {
	case "export":
		n, err := a.ExportKeys(ctx, os.Stdout, args[1])
		log.Info("exported", "keys", n)
		return err
	case "import":
		n, err := a.Import(ctx, os.Stdin)
		log.Info("imported", "keys", n)
		return err
	case "purge":
		n, next, err := a.Purge(ctx, args[1], args[2], cfg.ExportPageMax)
		log.Info("purged", "keys", n, "resume", next)
		return err
	case "count":
		n, err := a.CountKeys(ctx, args[1])
		fmt.Println(n)
		return err
	}
	return fmt.Errorf("admin: unknown subcommand %q (export, import, purge, count)", args[0])
}
