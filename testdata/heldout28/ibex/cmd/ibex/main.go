// Command ibex serves the creator dashboard and listener API.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/ibex/internal/analytics"
	"example.com/ibex/internal/config"
	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/feeds"
	"example.com/ibex/internal/httpapi"
	"example.com/ibex/internal/invites"
	"example.com/ibex/internal/kvrest"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/origin"
	"example.com/ibex/internal/ratelimit"
	"example.com/ibex/internal/sessions"
	"example.com/ibex/internal/shows"
	"example.com/ibex/internal/sponsors"
)

func main() {
	logger := log.New(os.Stderr, "ibex ", log.LstdFlags|log.Lmsgprefix)
	if err := run(logger); err != nil {
		logger.Fatal(err)
	}
}

// tenantResolver sends analytics of isolated networks to their own
// namespace and everything else to the environment's.
func tenantResolver(cfg config.Config) kvrest.Resolver {
	static := kvrest.StaticResolver(map[string]string{"jobs": cfg.NS().Jobs, "analytics": cfg.NS().Analytics})
	return func(ctx context.Context, logical string) (string, error) {
		if id, ok := cfg.AnalyticsByTenant[kvstore.Tenant(ctx)]; ok && logical == "analytics" {
			return id, nil
		}
		return static(ctx, logical)
	}
}

func run(logger *log.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ns := cfg.NS()
	api, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	edgeIDs := map[string]map[edgekv.Namespace]string{}
	for env, set := range cfg.Namespaces {
		edgeIDs[string(env)] = map[edgekv.Namespace]string{"feeds": set.Feeds, "sponsors": set.Sponsors, "sessions": set.Sessions}
	}
	v3 := cfv3.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
	edge := edgekv.New(v3, cfg.AccountID, string(cfg.Env), edgeIDs)
	rest := kvrest.New(nil, "", cfg.AccountID, cfg.APIToken, tenantResolver(cfg))
	src, err := origin.New(cfg.OriginURL)
	if err != nil {
		return err
	}

	catalogStore := kvstore.New(api, cfg.AccountID, ns.Catalog)
	sessionStore := kvstore.New(api, cfg.AccountID, ns.Sessions)
	analyticsStore := kvstore.New(api, cfg.AccountID, ns.Analytics,
		kvstore.WithTenantNamespaces(cfg.AnalyticsByTenant))

	app := &httpapi.App{
		Sessions:   sessions.NewService(sessionStore, cfg.SessionHours),
		Accounts:   sessions.Accounts{Store: sessionStore},
		Catalog:    shows.NewCatalog(catalogStore, catalogStore, src),
		Feeds:      feeds.NewTokenStore(edge, cfg.FeedTokenDays, cfg.Location),
		Sponsors:   sponsors.NewBooker(edge),
		Invites:    invites.New(kvstore.New(api, cfg.AccountID, ns.Invites), logMailer{logger}, cfg.InviteValidDays),
		Recorder:   analytics.NewRecorder(api, cfg.AccountID, ns.Analytics, cfg.AnalyticsByTenant),
		Aggregator: analytics.NewAggregator(analyticsStore, kvstore.IsNotFound, 8),
		Limiter:    ratelimit.New(analyticsStore, kvstore.IsNotFound, cfg.FeedFetchPerMin),
		Catalogue:  catalogStore,
		Edge:       edge,
		Log:        logger,
	}
	if err := rest.Probe(context.Background(), "jobs"); err != nil {
		logger.Printf("jobs namespace probe failed: %v", err)
	}

	srv := &http.Server{Addr: cfg.Listen, Handler: app.Routes(), ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for ep, err := range app.Aggregator.Flush(ctx) {
					if err != nil {
						logger.Printf("flush %s: %v", ep, err)
					}
				}
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	defer app.Aggregator.Flush(shutdownCtx)
	return srv.Shutdown(shutdownCtx)
}

type logMailer struct{ l *log.Logger }

func (m logMailer) SendInvite(_ context.Context, to, showID, _ string) error {
	m.l.Printf("invite for show %s queued to %s", showID, to)
	return nil
}
