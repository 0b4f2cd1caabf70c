// Command gadwalld is the licensing and entitlement server for the Gadwall
// desktop app.
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"gadwall/internal/activation"
	"gadwall/internal/clock"
	"gadwall/internal/config"
	"gadwall/internal/httpapi"
	"gadwall/internal/jobs"
	"gadwall/internal/kvstore"
	"gadwall/internal/portal"
	"gadwall/internal/tenant"
	"gadwall/internal/trial"
	"gadwall/internal/webhook"
)

// logMailer writes mail to the log; production injects the SMTP relay.
type logMailer struct{}

func (logMailer) Send(_ context.Context, to, template string, _ map[string]string) error {
	slog.Info("mail", "to", to, "template", template)
	return nil
}

func main() {
	if err := run(); err != nil {
		slog.Error("gadwalld", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	seed, err := base64.StdEncoding.DecodeString(os.Getenv("GADWALL_GRANT_KEY"))
	if err != nil || len(seed) != ed25519.SeedSize {
		return errors.New("GADWALL_GRANT_KEY must be a base64 ed25519 seed")
	}
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	client := cfv2.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
	clk, mail := clock.System{}, logMailer{}
	rest := func(ns string) *kvstore.RESTStore { return kvstore.NewREST(api, cfg.AccountID, ns) }
	v2 := func(ns string) *kvstore.V2Store { return kvstore.NewV2(client, cfg.AccountID, ns) }

	central, centralV2, ops, portalStore := rest(cfg.LicenseNamespace), v2(cfg.LicenseNamespace), rest(cfg.OpsNamespace), rest(cfg.PortalNamespace)
	legacy := strings.Split(os.Getenv("GADWALL_LEGACY_NAMESPACES"), ",")
	tenants := tenant.NewRegistry(cfg.TenantNamespaces, os.Getenv("GADWALL_DEFAULT_TENANT"), func(ns string) kvstore.KV {
		for _, l := range legacy {
			if strings.TrimSpace(l) == ns {
				return rest(ns)
			}
		}
		return v2(ns)
	})

	act := activation.New(activation.Config{
		DailyQuota: cfg.DailyQuota, CacheEntries: cfg.CacheEntries,
		GrantValidity: cfg.OfflineGrantValidity, VerdictTTL: cfg.ValidationCacheTTL,
		GrantsStore: central, CacheStore: v2(cfg.CacheNamespace), Clock: clk,
	})
	prt := portal.New(portal.Options{
		Store: portalStore, Pairing: v2(cfg.PortalNamespace), Clock: clk, Mailer: mail,
		SessionTTL: cfg.SessionTTL, MagicTTL: cfg.MagicLinkTTL, RefreshTTL: cfg.RefreshTokenTTL,
		LoginWindow: cfg.LoginWindow, MaxAttempts: cfg.LoginMaxAttempts,
	})
	hostname, _ := os.Hostname()
	jb := jobs.New(tenants, central, centralV2, ops, clk, mail, hostname, cfg.SweepConcurrency)

	handler := httpapi.Routes(httpapi.Deps{
		Tenants:    tenants,
		Activation: act,
		Signer:     activation.Signer{Key: ed25519.NewKeyFromSeed(seed)},
		Trials:     trial.NewTrials(centralV2, clk, cfg.TrialLength),
		Portal:     prt,
		Webhooks:   webhook.NewProcessor(tenants, ops, portalStore, act, clk),
		Ops:        ops, Releases: centralV2, ReleasesREST: central, Clock: clk,
		CDNBase:    os.Getenv("GADWALL_CDN_BASE"),
		AdminToken: os.Getenv("GADWALL_ADMIN_TOKEN"),
		WebhookKey: cfg.WebhookSecret,
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go act.RunFlusher(ctx, cfg.FlushInterval)
	go jb.Run(ctx, cfg.SweepInterval)

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("gadwalld listening", "addr", cfg.ListenAddr, "tenants", len(cfg.TenantNamespaces))
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
