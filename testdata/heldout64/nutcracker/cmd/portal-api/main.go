// Command portal-api is the developer portal's control plane: the OpenID
// provider for partner apps, gateway and API-key management.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portwell/nutcracker/internal/apikeys"
	"github.com/portwell/nutcracker/internal/gateways"
	"github.com/portwell/nutcracker/internal/kvstore"
	"github.com/portwell/nutcracker/internal/oidcstore"
)

func envDuration(name string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(name))
	return d
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	ns := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("PORTAL_KV_NAMESPACE"))

	maxFailures, _ := strconv.Atoi(os.Getenv("OIDC_MAX_LOGIN_FAILURES"))
	store := oidcstore.New(ns, oidcstore.Config{
		AuthRequestTTL:      envDuration("OIDC_AUTH_REQUEST_TTL"),
		AccessTokenLifetime: envDuration("OIDC_ACCESS_TOKEN_LIFETIME"),
		MaxSessionAge:       envDuration("OIDC_MAX_SESSION_AGE"),
		LockoutWindow:       envDuration("OIDC_LOCKOUT_WINDOW"),
		MaxLoginFailures:    maxFailures,
	})
	issuer := os.Getenv("OIDC_ISSUER")
	provider, err := op.NewOpenIDProvider(issuer, oidcstore.ProviderConfig(sha256.Sum256([]byte(os.Getenv("OIDC_CRYPTO_KEY")))), store)
	if err != nil {
		log.Fatal(err)
	}

	gws := gateways.NewService(ns, os.Getenv("BILLING_URL"))
	keys := apikeys.NewService(ns, logger)

	mux := http.NewServeMux()
	mux.Handle("/login", store.LoginHandler(func(ctx context.Context, id string) string {
		return op.AuthCallbackURL(provider)(ctx, id)
	}))
	mux.HandleFunc("PUT /gateways/{id}", func(w http.ResponseWriter, r *http.Request) {
		var gw gateways.Gateway
		if err := json.NewDecoder(r.Body).Decode(&gw); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		gw.ID = r.PathValue("id")
		writeResult(w, nil, gws.Replace(r.Context(), gw))
	})
	mux.HandleFunc("POST /gateways/{id}/upstream", func(w http.ResponseWriter, r *http.Request) {
		writeResult(w, nil, gws.SetUpstream(r.Context(), r.PathValue("id"), r.FormValue("tenant"), r.FormValue("upstream")))
	})
	mux.HandleFunc("POST /gateways/{id}/routes", func(w http.ResponseWriter, r *http.Request) {
		var rt gateways.Route
		if err := json.NewDecoder(r.Body).Decode(&rt); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeResult(w, nil, gws.AddRoute(r.Context(), r.PathValue("id"), rt))
	})
	mux.HandleFunc("POST /gateways/{id}/domains", func(w http.ResponseWriter, r *http.Request) {
		err := gws.ClaimDomain(r.Context(), r.PathValue("id"), r.FormValue("tenant"), r.FormValue("host"))
		if errors.Is(err, gateways.ErrDomainTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		writeResult(w, nil, err)
	})
	mux.HandleFunc("GET /domains", func(w http.ResponseWriter, r *http.Request) {
		page, err := gws.ListDomains(r.Context(), r.URL.Query().Get("cursor"))
		writeResult(w, page, err)
	})
	mux.HandleFunc("POST /tenants/{tenant}/keys", func(w http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		plan, err := gws.PlanFor(r.Context(), tenant)
		if err != nil {
			writeResult(w, nil, err)
			return
		}
		secret, rec, err := keys.Issue(r.Context(), tenant, r.FormValue("gateway"), plan.Name, plan.RequestsPerDay)
		writeResult(w, map[string]any{"secret": secret, "key": rec}, err)
	})
	mux.HandleFunc("POST /tenants/{tenant}/keys:rotate", func(w http.ResponseWriter, r *http.Request) {
		fresh, err := keys.Rotate(r.Context(), r.PathValue("tenant"))
		writeResult(w, fresh, err)
	})
	mux.HandleFunc("POST /explorer/keys", func(w http.ResponseWriter, r *http.Request) {
		secret, err := keys.IssueTemporary(r.Context(), r.FormValue("tenant"), r.FormValue("gateway"), time.Now().Add(2*time.Hour))
		writeResult(w, map[string]string{"secret": secret}, err)
	})
	mux.HandleFunc("POST /users/{id}/password-changed", func(w http.ResponseWriter, r *http.Request) {
		writeResult(w, nil, store.RevokeAllForUser(r.Context(), r.PathValue("id")))
	})
	mux.HandleFunc("GET /partners/clients", func(w http.ResponseWriter, r *http.Request) {
		list, cursor, err := store.Clients(r.Context(), r.URL.Query().Get("cursor"))
		writeResult(w, map[string]any{"clients": list, "cursor": cursor}, err)
	})
	mux.Handle("/", provider)

	go rotateKeys(ctx, store, logger)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// rotateKeys rotates the provider's signing key once a week.
func rotateKeys(ctx context.Context, store *oidcstore.Storage, logger *slog.Logger) {
	t := time.NewTicker(7 * 24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			kid, err := store.RotateSigningKey(ctx)
			logger.Info("rotated signing key", "kid", kid, "err", err)
		}
	}
}

func writeResult(w http.ResponseWriter, v any, err error) {
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case v == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}
