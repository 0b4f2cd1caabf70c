// Command sso runs the clinic group's OpenID provider for staff apps.
package main

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	of "github.com/open-feature/go-sdk/openfeature"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/clinicgroup/wallcreeper/internal/flags"
	"github.com/clinicgroup/wallcreeper/internal/kvstore"
	"github.com/clinicgroup/wallcreeper/internal/oidcstore"
	"github.com/clinicgroup/wallcreeper/internal/stepup"
)

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	authNS := kvstore.Open(token, account, os.Getenv("KV_AUTH_NAMESPACE"), "auth")
	flagNS := kvstore.Open(token, account, os.Getenv("KV_FLAGS_NAMESPACE"), "flags")

	issuer := os.Getenv("OIDC_ISSUER")
	store := oidcstore.New(authNS, oidcstore.Config{
		AuthRequestTTL:  envDuration("OIDC_AUTH_REQUEST_TTL", 10*time.Minute),
		AccessTokenTTL:  envDuration("OIDC_ACCESS_TOKEN_TTL", 15*time.Minute),
		RefreshTokenTTL: envDuration("OIDC_REFRESH_TOKEN_TTL", 30*24*time.Hour),
		Issuer:          issuer,
	}, hrDirectory{})
	store.Register(func(id string) string { return "/login?authRequestID=" + id },
		oidcstore.ClientSpec{
			ID:           "charting",
			SecretSHA256: os.Getenv("CHARTING_SECRET_SHA256"),
			RedirectURIs: []string{"https://charting.clinics.example/callback"},
			Scopes:       []string{"openid", "profile", "email", "clinic", "offline_access"},
		},
		oidcstore.ClientSpec{
			ID:           "rota-mobile",
			RedirectURIs: []string{"org.clinics.rota:/callback"},
			Scopes:       []string{"openid", "profile", "clinic", "offline_access"},
			Native:       true,
		},
	)

	provider, err := op.NewOpenIDProvider(issuer, &op.Config{
		CryptoKey:             sha256.Sum256([]byte(os.Getenv("OIDC_CRYPTO_KEY"))),
		CodeMethodS256:        true,
		GrantTypeRefreshToken: true,
	}, store, op.WithLogger(slog.Default()))
	if err != nil {
		slog.Error("provider", "err", err)
		os.Exit(1)
	}

	if err := of.SetProviderAndWait(flags.NewProvider(flagNS, flags.ErrorLogHook{})); err != nil {
		slog.Error("flags", "err", err)
		os.Exit(1)
	}
	of.AddHooks(flags.ExposureHook{NS: flagNS}, flags.EvalStatsHook{NS: flagNS}, flags.LastEvaluatedHook{NS: flagNS})
	flagClient := of.NewDefaultClient()

	steps := &stepup.Service{NS: authNS, Sender: smsGateway{}}

	mux := http.NewServeMux()
	mux.Handle("/", provider)
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := store.CompleteLogin(r.Context(), r.FormValue("authRequestID"), r.FormValue("username"), r.FormValue("password")); err != nil {
			http.Error(w, "login failed", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), r.FormValue("authRequestID")), http.StatusFound)
	})
	mux.HandleFunc("POST /stepup/{user}/{device}", func(w http.ResponseWriter, r *http.Request) {
		clinic := r.FormValue("clinic")
		evalCtx := of.NewEvaluationContext(r.PathValue("user"), map[string]any{"clinic": clinic})
		if on, _ := flagClient.BooleanValue(r.Context(), "stepup-sms", true, evalCtx); !on {
			http.Error(w, "step-up by SMS is disabled for this clinic", http.StatusConflict)
			return
		}
		if err := steps.Issue(r.Context(), clinic, r.PathValue("user"), r.PathValue("device"), r.FormValue("phone")); err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /stepup/{user}/{device}/verify", func(w http.ResponseWriter, r *http.Request) {
		if err := steps.Verify(r.Context(), r.PathValue("user"), r.PathValue("device"), r.FormValue("code")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if err := steps.FlushQuota(ctx, now); err != nil {
					slog.Warn("flushing SMS quota", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = steps.FlushQuota(shut, time.Now())
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		slog.Error("serve", "err", err)
	}
}

type hrDirectory struct{}

func (hrDirectory) CheckPassword(ctx context.Context, username, password string) (string, error) {
	return "", context.Canceled
}

func (hrDirectory) Userinfo(ctx context.Context, userID string) (string, string, string, error) {
	return "", "", "", nil
}

type smsGateway struct{}

func (smsGateway) Send(ctx context.Context, phone, text string) error { return nil }
