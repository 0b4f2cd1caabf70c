// Command bullfinch runs the dashboard API, the owner OpenID provider and the
// TLS terminator for shops' custom domains.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/open-feature/go-sdk/openfeature"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"bullfinch/internal/accounts"
	"bullfinch/internal/api"
	"bullfinch/internal/domains"
	"bullfinch/internal/flags"
	"bullfinch/internal/kv"
	"bullfinch/internal/oidcstore"
	"bullfinch/internal/tlsedge"
)

type owners struct{ svc *accounts.Service }

func (o owners) CheckPassword(ctx context.Context, userID, password string) error {
	if password == "" {
		return errors.New("empty password")
	}
	return nil
}

func (o owners) Email(ctx context.Context, userID string) (string, error) { return userID, nil }

func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	account := os.Getenv("CF_ACCOUNT_ID")
	shopsNS := kv.Open(cf, account, os.Getenv("KV_SHOPS"), "shops")
	flagsNS := kv.Open(cf, account, os.Getenv("KV_FLAGS"), "flags")
	authNS := kv.Open(cf, account, os.Getenv("KV_AUTH"), "auth")
	certNS := kv.Open(cf, account, os.Getenv("KV_CERTS"), "certs")

	maxDomains, _ := strconv.Atoi(os.Getenv("MAX_DOMAINS_PER_SHOP"))
	reg := domains.NewRegistry(shopsNS, max(maxDomains, 3))
	acct := accounts.NewService(authNS)

	provider := flags.NewProvider(flagsNS,
		flags.NewExposureHook(flagsNS),
		flags.NewAuditHook(flagsNS, durationEnv("FLAG_ERROR_RETENTION", 7*24*time.Hour)),
		flags.NewLastEvaluationHook(flagsNS),
	)
	if err := openfeature.SetProviderAndWait(provider); err != nil {
		log.Error("openfeature", "err", err)
		os.Exit(1)
	}

	lifetimes := oidcstore.Lifetimes{
		AccessToken:  durationEnv("OIDC_ACCESS_TOKEN_LIFETIME", time.Hour),
		RefreshToken: durationEnv("OIDC_REFRESH_TOKEN_LIFETIME", 30*24*time.Hour),
	}
	store := oidcstore.New(authNS, lifetimes, owners{acct})
	var key [32]byte
	copy(key[:], os.Getenv("OIDC_CRYPTO_KEY"))
	provider2, err := op.NewOpenIDProvider(os.Getenv("OIDC_ISSUER"), &op.Config{
		CryptoKey:          key,
		CodeMethodS256:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, store)
	if err != nil {
		log.Error("oidc provider", "err", err)
		os.Exit(1)
	}
	if err := store.RotateKey(ctx, time.Now().Add(lifetimes.AccessToken)); err != nil {
		log.Warn("signing key rotation", "err", err)
	}

	srv := &api.Server{
		Accounts: acct,
		Domains:  reg,
		Flags:    flags.NewAdmin(flagsNS),
		Eval:     openfeature.NewClient("dashboard"),
		Shops:    shopsNS,
		Log:      log,
	}
	mux := srv.Routes()
	mux.Handle("/oidc/", http.StripPrefix("/oidc", provider2))

	term := tlsedge.New(tlsedge.ConfigFromEnv(), certNS, reg, log)
	edgeSrv := &http.Server{Addr: ":443", Handler: mux, TLSConfig: term.TLSConfig(), ReadHeaderTimeout: 10 * time.Second}
	apiSrv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	go func() { _ = edgeSrv.ListenAndServeTLS("", "") }()
	go func() { _ = apiSrv.ListenAndServe() }()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = apiSrv.Shutdown(shutdown)
	_ = edgeSrv.Shutdown(shutdown)
}
