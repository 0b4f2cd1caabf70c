package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/otter/internal/api"
	"example.com/otter/internal/apikeys"
	"example.com/otter/internal/config"
	"example.com/otter/internal/dunning"
	"example.com/otter/internal/events"
	"example.com/otter/internal/fxrates"
	"example.com/otter/internal/invoices"
	"example.com/otter/internal/jobs"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvstore/cfkv6"
	"example.com/otter/internal/kvstore/kvactor"
	"example.com/otter/internal/kvstore/storage"
	"example.com/otter/internal/paylinks"
	"example.com/otter/internal/payments"
	"example.com/otter/internal/portal"
	"example.com/otter/internal/webhooks"
)

type app struct {
	api   *api.Server
	sched *jobs.Scheduler
}

// v6Store is built on first use.
var v6Store = sync.OnceValue(func() *cfkv6.Store {
	cfg, _ := config.Load()
	return cfkv6.New(cfg.AccountID, option.WithAPIToken(cfg.APIToken))
})

func directory(store kvport.Store) portal.Directory {
	return func(ctx context.Context, tenant, email string) ([]string, error) {
		raw, err := store.Get(ctx, tenant+":"+strings.ToLower(email))
		if kvport.IsNotFound(err) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		var ids []string
		err = json.Unmarshal(raw, &ids)
		return ids, err
	}
}

func wire(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	be, err := storage.Open(cfg)
	if err != nil {
		return nil, err
	}
	open, s6, bus := be.Open, v6Store(), new(events.Bus)
	status := open("status", kvport.WithPrefix(""))
	linksNS := s6.Namespace(cfg.V6("links"))

	inv := invoices.NewService(open("invoices", kvport.WithPrefix("doc:")), open("invoice-numbers"), open("renders"),
		bus, log, invoices.WithRenderCache(cfg.RenderCacheTTL))
	invoices.RegisterObservers(bus, invoices.ObserverDeps{Summaries: open("summaries"), Stats: open("stats"), Ready: open("pdf-ready")})

	links := paylinks.NewService(paylinks.Deps{
		Links:    linksNS.Prefixed("link:"),
		Slugs:    open("slugs"),
		Brands:   open("brands"),
		Previews: open("previews", kvport.WithLifetime(30*time.Second)), // EXPECT kvttl
		Views:    func(ctx context.Context, id string) error { return s6.CountView(ctx, linksNS.ID(), id) },
		Log:      log,
	})

	keysSvc := apikeys.NewService(open("apitokens", kvport.WithPrefix("apitoken:")), open("customer-keys"),
		apikeys.NewUsage(open("usage")), log)

	var sessions portal.Sessions = portal.NewStoreSessions(open("sessions"), cfg.SessionTTL)
	if be.KV != nil {
		sessions = be.KV.Sessions(cfg.SessionTTL)
	}
	portalSvc := portal.NewService(portal.Deps{
		Sessions: sessions,
		Magic:    open("magic", kvport.WithLifetime(cfg.MagicLinkTTL)),
		Activity: status,
		Mail:     logMailer(log),
		Dir:      directory(open("directory")),
		BaseURL:  cfg.PortalBaseURL,
		Log:      log,
	})

	psp := newPSP(os.Getenv("PSP_BASE_URL"), os.Getenv("PSP_SECRET"))
	pay := payments.NewService(payments.Deps{Idempotency: open("idempotency"), Intents: open("intents"),
		Accounts: open("accounts"), PSP: psp, Invoices: inv, Bus: bus, IdemTTL: cfg.IdempotencyTTL, Log: log})
	fxStore := s6.Namespace(cfg.V6("fx")).Prefixed("rates/").WithLifetime(20 * time.Second)
	fx := fxrates.NewCache(fxStore, psp, []string{"EUR", "USD", "GBP"}, log)
	inbound := webhooks.NewInbound(open("psp-seen"), status, []byte(os.Getenv("PSP_WEBHOOK_SECRET")), log)
	inbound.Handle("payment.captured", pay.OnCaptured)
	dispatcher := webhooks.NewDispatcher(s6.Deliveries(cfg.V6("webhooks")), open("pending-deliveries"), log)
	dispatcher.Subscribe(bus)

	// Dunning state is reached through one actor goroutine.
	state := kvactor.New(open("dunning"), 64)
	go state.Run(ctx)
	runner := dunning.NewRunner(state, open("open-invoices"), open("holds"), reminderSender(log),
		dunning.Config{PageSize: cfg.DunningPageSize, MaxPages: 50}, log)
	runner.Subscribe(bus)

	sched := jobs.New(status, log)
	sched.Add("dunning", cfg.DunningInterval, runner.Run)
	sched.Add("redeliver", cfg.RedeliverEvery, dispatcher.Redeliver)
	sched.Add("fx-refresh", cfg.FXRefreshEvery, fx.Refresh)

	srv := &api.Server{Invoices: inv, Links: links, Keys: keysSvc, Portal: portalSvc, Payments: pay, FX: fx,
		Inbound: inbound, Audit: open("audit"), Log: log}
	if be.KV != nil {
		srv.Limiter = be.KV.RateLimiter(cfg.RequestsPerMin)
		flags, err := be.KV.LoadFlags(ctx)
		if err != nil {
			return nil, err
		}
		log.Info("feature flags", "portal_v2", flags.PortalV2, "instant_payouts", flags.InstantPayouts)
		// Tell portal users about the restart while this replica drains.
		context.AfterFunc(ctx, func() {
			nctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := be.KV.PublishNotice(nctx, "We are rolling out an update; some pages may be briefly unavailable."); err != nil {
				log.Warn("publish notice", "err", err)
			}
		})
	}
	return &app{api: srv, sched: sched}, nil
}

func reminderSender(log *slog.Logger) dunning.Sender {
	mail := logMailer(log)
	return func(ctx context.Context, inv dunning.OpenInvoice, stage dunning.Stage) error {
		return mail(ctx, inv.CustomerID, "Invoice "+inv.Number+" is overdue", "template:"+stage.Template)
	}
}
