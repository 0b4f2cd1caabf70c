// Command idp runs the identity service's backend: the OAuth2 server, the
// login API and the periodic report jobs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/ulule/limiter/v3"

	"github.com/tinamou-id/tinamou/internal/apikeys"
	"github.com/tinamou-id/tinamou/internal/kvstore"
	"github.com/tinamou-id/tinamou/internal/login"
	"github.com/tinamou-id/tinamou/internal/oauthstore"
	"github.com/tinamou-id/tinamou/internal/ratelimit"
	"github.com/tinamou-id/tinamou/internal/reports"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("idp exited", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := kvstore.NewClient(os.Getenv("CLOUDFLARE_API_TOKEN"))
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	tokensNS := kvstore.Open(cf, account, os.Getenv("KV_TOKENS_ID"), "tokens")
	sessionsNS := kvstore.Open(cf, account, os.Getenv("KV_SESSIONS_ID"), "sessions")
	limitsNS := kvstore.Open(cf, account, os.Getenv("KV_LIMITS_ID"), "limits")
	keysNS := kvstore.Open(cf, account, os.Getenv("KV_APIKEYS_ID"), "apikeys")
	reportsNS := kvstore.Open(cf, account, os.Getenv("KV_REPORTS_ID"), "reports")

	clients, err := oauthstore.LoadClientStore(tokensNS, env("CLIENTS_FILE", "/etc/tinamou/clients.json"), log)
	if err != nil {
		return err
	}
	if err := clients.Publish(ctx); err != nil {
		log.Warn("client publish incomplete", "err", err)
	}

	manager := manage.NewDefaultManager()
	manager.SetAuthorizeCodeExp(5 * time.Minute)
	manager.SetRefreshTokenCfg(manage.DefaultRefreshTokenCfg)
	manager.MapTokenStorage(oauthstore.NewTokenStore(tokensNS))
	manager.MapClientStorage(clients)

	accounts := &accountsClient{base: env("ACCOUNTS_URL", "http://accounts.internal:8080"), http: &http.Client{Timeout: 5 * time.Second}}
	logins := login.New(sessionsNS, accounts, logMailer{log}, env("PUBLIC_URL", "https://id.tinamou.example"), log)

	srv := server.NewDefaultServer(manager)
	srv.SetAllowGetAccessRequest(false)
	srv.SetAllowedGrantType(oauth2.AuthorizationCode, oauth2.Refreshing, oauth2.PasswordCredentials, oauth2.ClientCredentials)
	srv.SetUserAuthorizationHandler(logins.UserAuthorization)
	srv.SetPasswordAuthorizationHandler(logins.PasswordAuthorization)
	srv.SetInternalErrorHandler(func(err error) *oautherrors.Response {
		log.Error("oauth2 internal error", "err", err)
		return nil
	})

	ipLimit := ratelimit.IPMiddleware(ratelimit.NewLimiterStore(limitsNS), limiter.Rate{Period: 10 * time.Minute, Limit: 100})
	tokenHandler, err := ratelimit.AccountLimiter(ratelimit.NewGCRAStore(limitsNS), 10, 5, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleTokenRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	if err != nil {
		return err
	}

	keys := apikeys.NewRegistry(keysNS)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.Handle("POST /oauth/token", tokenHandler)
	mux.HandleFunc("POST /oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		tok := r.PostFormValue("token")
		var err error
		switch r.PostFormValue("token_type_hint") {
		case "refresh_token":
			err = manager.RemoveRefreshToken(r.Context(), tok)
		default:
			err = manager.RemoveAccessToken(r.Context(), tok)
		}
		if err != nil && !errors.Is(err, oautherrors.ErrInvalidAccessToken) && !errors.Is(err, oautherrors.ErrInvalidRefreshToken) {
			http.Error(w, "revocation failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK) // RFC 7009: unknown tokens are not an error
	})
	mux.Handle("POST /login", ipLimit.Handler(http.HandlerFunc(logins.HandleLogin)))
	mux.HandleFunc("POST /logout", logins.HandleLogout)
	mux.Handle("POST /password/reset", ipLimit.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := logins.RequestReset(r.Context(), r.PostFormValue("email")); err != nil {
			http.Error(w, "try again later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})))
	mux.HandleFunc("POST /password/reset/confirm", func(w http.ResponseWriter, r *http.Request) {
		if err := logins.RedeemReset(r.Context(), r.PostFormValue("token"), r.PostFormValue("password")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /orgs/{org}/keys", func(w http.ResponseWriter, r *http.Request) {
		page, err := keys.List(r.Context(), r.PathValue("org"), r.URL.Query().Get("cursor"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	})
	mux.HandleFunc("POST /orgs/{org}/keys", func(w http.ResponseWriter, r *http.Request) {
		secret, k, err := keys.Issue(r.Context(), r.PathValue("org"), r.PostFormValue("name"), r.Header.Get("X-Actor"), r.PostForm["scope"])
		if errors.Is(err, apikeys.ErrNameTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		} else if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"secret": secret, "key": k})
	})
	mux.HandleFunc("POST /clients/{id}/redirect-uris", func(w http.ResponseWriter, r *http.Request) {
		if err := clients.AddRedirectURI(r.Context(), r.PathValue("id"), r.PostFormValue("uri")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /consent", func(w http.ResponseWriter, r *http.Request) {
		userID, err := logins.UserAuthorization(w, r)
		if err != nil || userID == "" {
			return
		}
		if err := clients.GrantScope(r.Context(), userID, r.PostFormValue("client_id"), r.PostFormValue("scope")); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, r.PostFormValue("return_to"), http.StatusSeeOther)
	})

	jobs := reports.NewJobs(sessionsNS, reportsNS, log)
	go jobs.Run(ctx, time.Minute, func() int64 { return logins.Logins.Swap(0) })
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := keys.FlushUsage(ctx); err != nil {
					log.Warn("usage flush", "err", err)
				}
			}
		}
	}()

	hs := &http.Server{Addr: env("LISTEN", ":8080"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		_ = keys.FlushUsage(shutdownCtx)
		_ = hs.Shutdown(shutdownCtx)
	}()
	log.Info("idp listening", "addr", hs.Addr)
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// accountsClient calls the upstream account service that owns credentials.
type accountsClient struct {
	base string
	http *http.Client
}

func (a *accountsClient) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("accounts %s: %s", path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (a *accountsClient) VerifyPassword(ctx context.Context, username, password string) (string, error) {
	var out struct {
		UserID string `json:"user_id"`
	}
	err := a.call(ctx, "/v1/verify", map[string]string{"username": username, "password": password}, &out)
	return out.UserID, err
}

func (a *accountsClient) SetPassword(ctx context.Context, userID, password string) error {
	return a.call(ctx, "/v1/password", map[string]string{"user_id": userID, "password": password}, nil)
}

func (a *accountsClient) LookupEmail(ctx context.Context, email string) (string, error) {
	var out struct {
		UserID string `json:"user_id"`
	}
	err := a.call(ctx, "/v1/lookup", map[string]string{"email": email}, &out)
	return out.UserID, err
}

type logMailer struct{ log *slog.Logger }

func (m logMailer) SendResetLink(ctx context.Context, email, link string) error {
	m.log.InfoContext(ctx, "reset link queued", "to", email)
	return nil
}
