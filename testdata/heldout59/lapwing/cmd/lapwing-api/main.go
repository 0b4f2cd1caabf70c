// Command lapwing-api serves the customer portal, the payment pages and the
// usage API.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/invoices"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
	"github.com/lapwing-billing/lapwing/internal/notify"
	"github.com/lapwing-billing/lapwing/internal/paylinks"
	"github.com/lapwing-billing/lapwing/internal/portal"
	"github.com/lapwing-billing/lapwing/internal/usage"
)

// unconfiguredProvider is used until the provider credentials are set.
type unconfiguredProvider struct{}

func (unconfiguredProvider) Charge(context.Context, paylinks.Link, string) (string, string, error) {
	return "", "", errors.New("payment provider is not configured")
}

func renderHTML(inv billing.Invoice, format string) ([]byte, error) {
	return fmt.Appendf(nil, "<h1>Invoice %s</h1><p>%.2f %s due %s</p><!-- %s -->",
		inv.Number, float64(inv.AmountCents)/100, inv.Currency, inv.DueAt.Format("2006-01-02"), format), nil
}

func main() {
	cfgPath := flag.String("config", "", "config file")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With(slog.String("service", "lapwing-api"))
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	db, err := sql.Open(cfg.Database.Driver, cfg.Database.DSN)
	if err != nil {
		log.Error("database", "err", err)
		os.Exit(1)
	}
	ledger := billing.NewSQLLedger(db, renderHTML)

	client := kvstore.NewClient(cfg.Cloudflare.APIToken)
	portalNS := kvstore.Open(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.PortalNamespace, log)
	cacheNS := kvstore.Open(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.CacheNamespace, log)
	billingNS := kvstore.Open(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.BillingNamespace, log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	relay := notify.NewRelay(os.Getenv("SMTP_RELAY"), "billing@lapwing.io", log)
	go relay.Deliver(ctx)

	e := echo.New()
	e.HideBanner = true
	e.Use(middleware.Recover(), middleware.RequestID(), middleware.BodyLimit("2M"))

	portalH := portal.New(portalNS, ledger, cfg, relay, log)
	app := portalH.Register(e)

	invSvc := invoices.NewService(cacheNS, ledger, cfg.Invoices, log)
	invoices.NewHandlers(invSvc, billingNS).Register(app)

	paySvc := paylinks.NewService(billingNS, ledger, unconfiguredProvider{}, cfg.Paylinks, log)
	paylinks.NewHandlers(paySvc).Register(e.Group("/pay"), app)

	meter := usage.NewMeter(billingNS, cfg.Usage, log)
	go meter.Loop(ctx)
	api := e.Group("/api/v1", portalH.RequireAPIToken(portal.NewTokenHits(portalNS)), meter.Middleware())
	usage.Handlers{Reports: &usage.Reports{NS: billingNS, Cfg: cfg.Usage}}.Register(api)

	go func() {
		if err := e.Start(cfg.ListenAddr); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("listen", "err", err)
			stop()
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = e.Shutdown(shutdown)
}
