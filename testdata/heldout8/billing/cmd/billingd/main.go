// Command billingd serves the billing API and runs the background jobs.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/billing/internal/apikeys"
	"example.com/billing/internal/config"
	"example.com/billing/internal/customers"
	"example.com/billing/internal/entitlements"
	"example.com/billing/internal/flags"
	"example.com/billing/internal/httpapi"
	"example.com/billing/internal/invoices"
	"example.com/billing/internal/jobs"
	"example.com/billing/internal/ledger"
	"example.com/billing/internal/quota"
	"example.com/billing/internal/sessions"
	"example.com/billing/internal/snapshots"
	"example.com/billing/internal/storage"
	"example.com/billing/internal/storage/kvstore"
	"example.com/billing/internal/storage/storemw"
	"example.com/billing/internal/webhooks"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("billingd exited", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID
	client := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(3))

	counters := &storemw.Counters{}
	expvar.Publish("kv", expvar.Func(func() any {
		return map[string]int64{"gets": counters.Gets.Load(), "puts": counters.Puts.Load(), "errors": counters.Errors.Load()}
	}))
	var store storage.Store = kvstore.New(client, acct, ns)
	store = storemw.WithMetrics(store, counters)
	readMostly := storemw.WithLocalCache(store, cfg.Cache.LocalTTL)

	led := ledger.New(os.Getenv("LEDGER_URL"))

	sess := sessions.NewManager(store, cfg.Sessions.TTL)
	usage := quota.NewService(store, led)
	ents := entitlements.New(client, acct, ns, led, cfg.Cache.EntitlementsTTL)
	invs := invoices.New(readMostly, cfg.Cache.InvoiceTTL, cfg.Jobs.PageSize)
	custs := customers.NewService(store, led)
	keyReg := apikeys.NewRegistry(client, acct, ns)

	policies, err := led.Catalog(ctx)
	if err != nil {
		return err
	}
	if err := usage.PublishPolicies(ctx, policies); err != nil {
		return err
	}

	featureFlags := flags.NewClient(client, acct, ns, cmp.Or(os.Getenv("BILLING_ENV"), "production"))
	if _, err := featureFlags.Load(ctx); err != nil {
		return fmt.Errorf("feature flags: %w", err)
	}

	hooks := webhooks.NewReceiver(store, cfg.Webhooks, log)
	if err := hooks.EnsureSecret(ctx); err != nil {
		return err
	}
	registerWebhooks(hooks, invs, ents, custs)

	api := httpapi.New(httpapi.Deps{
		Store:         store,
		LoadSession:   sess.Load,
		TouchSession:  sess.Touch,
		SaveSession:   sess.Save,
		RevokeSession: sess.Revoke,
		ResolveKey:    keyReg.Resolve,
		RecordUsage:   usage.Record,
		CheckQuota:    usage.Check,
		Entitlements:  ents.Get,
		Invoices:      invs,
		Log:           log,
	}, cfg)

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/"+cfg.Webhooks.Provider, hooks)
	mux.Handle("/debug/vars", expvar.Handler())
	mux.Handle("/", api)

	host, _ := os.Hostname()
	sched := jobs.NewScheduler(store, host, log)
	writer := snapshots.NewWriter(snapshots.Deps{
		Client: client, AccountID: acct, NSID: ns, Store: store, Source: led, Emitter: led, Log: log,
	}, cfg.Jobs)
	sched.Add(jobs.Job{Name: "snapshots", Every: cfg.Jobs.SnapshotEvery, Run: writer.Run})
	sched.Add(jobs.Job{Name: "orphan-sweep", Every: time.Hour, Run: jobs.OrphanSweep{Store: store, MaxPages: cfg.Jobs.MaxPages, Log: log}.Run})
	sched.Add(jobs.Job{Name: "snapshot-prune", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
		n, err := writer.Prune(ctx, time.Now().Add(-cfg.Jobs.Retention))
		log.Info("pruned snapshots", "deleted", n)
		return err
	}})
	sched.Add(jobs.Job{Name: "entitlements-warm", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
		due, err := led.DueForBilling(ctx)
		if err != nil {
			return err
		}
		return ents.Warm(ctx, due)
	}})
	sched.Add(jobs.Job{Name: "invoice-cache", Every: 15 * time.Minute, Run: func(ctx context.Context) error {
		return cacheFinalized(ctx, led, invs, jobs.NewPool(store, "invoice-cache", cfg.Jobs.Workers, log))
	}})
	go sched.Start(ctx)

	meter := quota.NewMeter(client, acct, ns, log)
	offset, err := meter.LastOffset(ctx)
	if err != nil {
		return err
	}
	go func() {
		if err := meter.Run(ctx, led.StreamUsage(ctx, offset)); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("meter stopped", "err", err)
		}
	}()

	srv := &http.Server{Addr: cfg.Addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("billingd listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func registerWebhooks(r *webhooks.Receiver, invs *invoices.Cache, ents *entitlements.Cache, custs *customers.Service) {
	r.On("invoice.finalized", func(ctx context.Context, ev webhooks.Event) error {
		var inv invoices.Invoice
		if err := json.Unmarshal(ev.Data, &inv); err != nil {
			return err
		}
		return invs.Put(ctx, inv)
	})
	r.On("checkout.addon_purchased", func(ctx context.Context, ev webhooks.Event) error {
		var p struct {
			Customer string `json:"customer"`
			AddOn    string `json:"add_on"`
		}
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			return err
		}
		return ents.GrantAddOn(ctx, p.Customer, p.AddOn)
	})
	r.On("customer.updated", func(ctx context.Context, ev webhooks.Event) error {
		var c struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		}
		if err := json.Unmarshal(ev.Data, &c); err != nil {
			return err
		}
		return custs.SetBillingEmail(ctx, c.ID, c.Email)
	})
}

// cacheFinalized copies recently finalised invoices into the portal cache.
func cacheFinalized(ctx context.Context, led *ledger.Client, invs *invoices.Cache, pool *jobs.Pool) error {
	list, err := led.FinalizedInvoices(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	tasks := make(chan jobs.Task, len(list))
	for _, inv := range list {
		tasks <- func(ctx context.Context) error { return invs.Put(ctx, inv) }
	}
	close(tasks)
	return pool.Run(ctx, tasks)
}
