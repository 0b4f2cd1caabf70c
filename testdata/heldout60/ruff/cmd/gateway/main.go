// Command gateway runs the custom-domain gateway's back end: TLS with ACME
// certificates for tenants' hostnames, the management API and sign-in.
package main

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"
	"github.com/go-webauthn/webauthn/webauthn"
	"golang.org/x/crypto/acme/autocert"

	"github.com/ruffgate/ruff/internal/api"
	"github.com/ruffgate/ruff/internal/auth"
	"github.com/ruffgate/ruff/internal/certs"
	"github.com/ruffgate/ruff/internal/kv"
	"github.com/ruffgate/ruff/internal/ratelimit"
	"github.com/ruffgate/ruff/internal/rbac"
	"github.com/ruffgate/ruff/internal/sessionkv"
	"github.com/ruffgate/ruff/internal/tenants"
	"github.com/ruffgate/ruff/internal/upstream"
)

var (
	accountID  = flag.String("cf-account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
	nsSessions = flag.String("kv-sessions", os.Getenv("KV_SESSIONS"), "namespace ID for sessions")
	nsState    = flag.String("kv-state", os.Getenv("KV_STATE"), "namespace ID for gateway state")
	nsCerts    = flag.String("kv-certs", os.Getenv("KV_CERTS"), "namespace ID for certificates")
	nsRoutes   = flag.String("kv-routes", os.Getenv("KV_ROUTES"), "namespace ID the edge Worker reads")
	sessionTTL = flag.Duration("session-ttl", 7*24*time.Hour, "dashboard session lifetime")
	sessionKey = flag.String("session-key", os.Getenv("SESSION_KEY"), "hex session signing key")
	jwtSecret  = flag.String("jwt-secret", os.Getenv("JWT_SECRET"), "API token signing secret")
	domain     = flag.String("platform-domain", "ruffgate.example", "platform domain")
	cpBase     = flag.String("control-plane", "http://control-plane.internal", "control plane base URL")
	billingID  = flag.String("billing-client-id", os.Getenv("BILLING_CLIENT_ID"), "billing OAuth client ID")
	billingKey = flag.String("billing-client-secret", os.Getenv("BILLING_CLIENT_SECRET"), "billing OAuth secret")
)

func main() {
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("gateway stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := cloudflare.NewClient(option.WithMaxRetries(3))
	sessionsNS := kv.Open(cf, *accountID, *nsSessions, "sessions")
	state := kv.Open(cf, *accountID, *nsState, "state")
	certStore, err := kv.NewCached(kv.Open(cf, *accountID, *nsCerts, "certs"), 64<<20, 10*time.Minute)
	if err != nil {
		return err
	}
	stateCache, err := kv.NewCached(state, 16<<20, 30*time.Second)
	if err != nil {
		return err
	}

	hashKey, err := hex.DecodeString(*sessionKey)
	if err != nil || len(hashKey) < 32 {
		return errors.New("session-key must be at least 32 hex-encoded bytes")
	}
	store := sessionkv.New(sessionsNS, "sess:", hashKey)
	store.Options.MaxAge = int(sessionTTL.Seconds()) // DEBATABLE kvttl
	store.Options.Domain = "console." + *domain

	passkeys, err := auth.NewPasskeys(&webauthn.Config{
		RPID:          "console." + *domain,
		RPDisplayName: "Ruffgate",
		RPOrigins:     []string{"https://console." + *domain},
		Timeouts: webauthn.TimeoutsConfig{
			Login: webauthn.TimeoutConfig{Enforce: true, Timeout: 2 * time.Minute},
		},
	}, state)
	if err != nil {
		return err
	}

	billing := upstream.Client(ctx, state, upstream.Provider{
		Name:         "billing",
		TokenURL:     "https://billing.example/oauth/token",
		ClientID:     *billingID,
		ClientSecret: *billingKey,
		Scopes:       []string{"usage:write", "plans:read"},
		FallbackTTL:  15 * time.Minute,
	})
	tenantSvc := tenants.NewService(state, kv.Open(cf, *accountID, *nsRoutes, "routes"), stateCache, billing, *cpBase, log)
	if err := tenantSvc.SeedReserved(ctx, *domain); err != nil {
		log.Warn("seeding reserved labels failed", "err", err)
	}

	enforcer, err := rbac.NewEnforcer(rbac.NewAdapter(state, "rbac:"))
	if err != nil {
		return err
	}

	cache := certs.NewCache(certStore, "cert:")
	manager := &autocert.Manager{
		Prompt: autocert.AcceptTOS,
		Cache:  cache,
		Email:  "certs@" + *domain,
		HostPolicy: func(ctx context.Context, host string) error {
			if c, err := tenantSvc.Owner(ctx, host); err != nil || !c.Verified {
				return errors.Join(errors.New("hostname not verified"), err)
			}
			return nil
		},
	}
	a := &api.API{
		Sessions:     store,
		SessionsNS:   sessionsNS,
		State:        state,
		Passkeys:     passkeys,
		SecondFactor: auth.NewSecondFactor(state),
		Tokens:       auth.NewTokens(state, []byte(*jwtSecret), "https://api."+*domain),
		Tenants:      tenantSvc,
		Usage:        tenants.NewUsage(state),
		Enforcer:     enforcer,
		Certs:        cache,
		Sweeper:      certs.NewSweeper(cache, manager, log),
		Limiter:      ratelimit.NewCounter(state, "ratelimit:"),
		Log:          log,
	}

	httpsSrv := &http.Server{
		Addr:              ":443",
		Handler:           a.Router(),
		TLSConfig:         &tls.Config{GetCertificate: manager.GetCertificate, NextProtos: []string{"h2", "http/1.1", "acme-tls/1"}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	httpSrv := &http.Server{Addr: ":80", Handler: manager.HTTPHandler(nil), ReadHeaderTimeout: 10 * time.Second}

	errc := make(chan error, 2)
	go func() { errc <- httpSrv.ListenAndServe() }()
	go func() { errc <- httpsSrv.ListenAndServeTLS("", "") }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(httpsSrv.Shutdown(shutdown), httpSrv.Shutdown(shutdown))
}
