// Command fleetd serves the fleet console and device APIs.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"bittern/internal/config"
	"bittern/internal/device"
	"bittern/internal/enroll"
	"bittern/internal/httpapi"
	"bittern/internal/kvstore"
	"bittern/internal/rollout"
	"bittern/internal/session"
	"bittern/internal/telemetry"
	"bittern/internal/tenant"
)

func main() {
	logger := log.New(os.Stderr, "fleetd ", log.LstdFlags|log.LUTC)
	path := os.Getenv("FLEET_CONFIG")
	cfg, err := config.Load(path)
	if err != nil {
		logger.Fatal(err)
	}
	cfg.RegisterFlags(flag.CommandLine)
	billing := flag.String("billing-url", "https://billing.internal", "billing service base URL")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, *billing, logger); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Fatal(err)
	}
}

func run(ctx context.Context, cfg config.Config, billingURL string, logger *log.Logger) error {
	api, err := cloudflare.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		return err
	}
	account := cfg.Cloudflare.AccountID
	prod := kvstore.NewTenants(api, account, cfg.Namespaces.Tenants, cfg.Namespaces.Default)
	staging := kvstore.NewTenants(api, account, cfg.Namespaces.Staging, cfg.Namespaces.StagingNS)
	global := kvstore.New(api, account, cfg.Namespaces.Global)
	sessions := kvstore.New(api, account, cfg.Namespaces.Sessions)

	lastSeen := kvstore.NewBuffer(global, cfg.Telemetry.LastSeenTTL, func(err error) { logger.Printf("last seen: %v", err) })
	devices := device.NewRegistry(prod.For, lastSeen, logger)
	limiter := telemetry.NewLimiter(api, account, cfg.Namespaces.Telemetry, cfg.Telemetry)
	quota := telemetry.NewQuota(limiter, cfg.Telemetry.DailyQuota, logger)

	hostname, _ := os.Hostname()
	cf := cfv2.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken))
	rollouts := rollout.New(cf, account, cfg.Namespaces.Rollout, cfg.Rollout, hostname)

	srv := &httpapi.Server{
		Enroll:   enroll.New(prod.For, global, devices, cfg.Enrollment),
		Devices:  devices,
		Sessions: session.NewManager(sessions, cfg.Sessions),
		Guard:    session.NewGuard(sessions, cfg.Sessions.MaxFailures),
		Limiter:  limiter,
		Quota:    quota,
		Tenants:  tenant.NewService(prod.For, staging.For, global, billingURL),
		Rollouts: rollouts,
		Status:   global,
		Verify:   verifyWithDirectory,
		Log:      logger,
	}

	go lastSeen.Run(ctx, cfg.Telemetry.FlushEvery)
	go quota.Run(ctx, cfg.Telemetry.FlushEvery)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := rollouts.FlushDownloads(ctx); err != nil {
					logger.Printf("downloads: %v", err)
				}
			}
		}
	}()

	hs := &http.Server{Addr: cfg.HTTPAddr, Handler: srv.Routes(), ReadTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	logger.Printf("listening on %s", cfg.HTTPAddr)
	return hs.ListenAndServe()
}

// verifyWithDirectory checks operator credentials against the company
// directory. The directory client lives in another repository; this build
// refuses every login unless FLEET_DEV_OPERATOR is set.
func verifyWithDirectory(_ context.Context, operator, password string) (string, []string, error) {
	if dev := os.Getenv("FLEET_DEV_OPERATOR"); dev != "" && operator == dev && password == os.Getenv("FLEET_DEV_PASSWORD") {
		return "dev", []string{"admin"}, nil
	}
	return "", nil, errors.New("directory unavailable")
}
