// Command garnet-api serves the invoicing and payments API and runs its
// periodic jobs.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"garnet/internal/auth"
	"garnet/internal/bus"
	"garnet/internal/config"
	"garnet/internal/dunning"
	"garnet/internal/fx"
	"garnet/internal/httpx"
	"garnet/internal/invoicing"
	"garnet/internal/kvstore"
	"garnet/internal/paylinks"
	"garnet/internal/policy"
	"garnet/internal/stats"
	"garnet/internal/webhooks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		slog.Error("garnet-api", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		return err
	}
	account := os.Getenv("CF_ACCOUNT_ID")
	base, err := kvstore.Open(os.Getenv("GARNET_KV_DRIVER"), api, account, os.Getenv("GARNET_KV_NAMESPACE"))
	if err != nil {
		return err
	}
	cfg, err := config.LoadFromKV(ctx, base)
	if err != nil {
		return err
	}
	holder := config.NewHolder(cfg)
	st := base.WithPrefix(cfg.KeyPrefix)
	expiry := policy.Select(cfg.Mode, holder)
	keys := kvstore.SchemeFor(cfg.Mode, cfg.KeySalt)

	b := bus.New()
	sessions := auth.NewSessions(st, expiry, b)
	refresh := auth.NewRefreshTokens(st, expiry)
	sso := auth.NewSSO(st, expiry, oidc{tokenURL: os.Getenv("OIDC_TOKEN_URL")}, b, sessions, refresh, os.Getenv("OIDC_AUTH_URL"))
	invoices := invoicing.NewService(st, invoicing.NumbererFor(cfg.Mode, st), b, holder)
	statements := invoicing.NewStatements(st, holder)
	links := paylinks.New(st, keys, expiry, holder, b)
	hooks := webhooks.New(st, holder, expiry, b)
	planner := dunning.NewPlanner(st, holder, b)
	recorder := stats.NewRecorder(st, b)
	rates := fx.NewRates(st, fx.HTTPSource{BaseURL: os.Getenv("FX_URL")}, holder, expiry)

	mux := http.NewServeMux()
	mux.Handle("GET /auth/sso/start", httpx.Handler(sso.Start))
	mux.Handle("GET /auth/sso/callback", httpx.Handler(sso.Callback))
	mux.Handle("POST /auth/logout", httpx.Handler(sso.Logout))
	mux.Handle("POST /auth/refresh", httpx.Handler(sso.Refresh))
	mux.Handle("POST /invoices", httpx.Handler(invoices.IssueHandler))
	mux.Handle("POST /portal/claim", httpx.Handler(invoices.ClaimPortal))
	mux.Handle("GET /pay/{token}", httpx.Handler(links.Show))
	mux.Handle("POST /pay/{token}", httpx.Handler(links.Pay))
	mux.Handle("POST /hooks/provider", httpx.Handler(hooks.Receive))
	mux.Handle("GET /statements/{id}", httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
		recorder.Viewed(r.PathValue("id"))
		sess, err := sessions.Authenticate(r)
		if err != nil {
			return err
		}
		page, err := statements.Recent(r.Context(), sess.TenantID, r.URL.Query().Get("cursor"))
		if err != nil {
			return err
		}
		return httpx.JSON(w, page)
	}))

	tenants := strings.Split(os.Getenv("GARNET_TENANTS"), ",")
	pairs := strings.Split(cmpOr(os.Getenv("FX_PAIRS"), "EURUSD,GBPUSD,USDJPY"), ",")
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := holder.Reload(ctx, base); err != nil {
					slog.Warn("config reload", "err", err)
				}
				jobs := map[string]func(context.Context) error{
					"dunning":  func(ctx context.Context) error { return planner.Sweep(ctx, tenants, sendReminder) },
					"webhooks": hooks.Dispatch,
					"stats":    recorder.Flush,
					"fx":       func(ctx context.Context) error { return rates.Refresh(ctx, pairs) },
				}
				for name, job := range jobs {
					if err := job(ctx); err != nil {
						slog.Warn("job failed", "job", name, "err", err)
					}
				}
			}
		}
	}()

	srv := &http.Server{Addr: cmpOr(os.Getenv("ADDR"), ":8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func sendReminder(ctx context.Context, tenantID, invoiceID string) error {
	slog.InfoContext(ctx, "dunning reminder", "tenant", tenantID, "invoice", invoiceID)
	return nil
}

// oidc redeems authorization codes at the tenant's identity provider.
type oidc struct{ tokenURL string }

func (o oidc) Exchange(ctx context.Context, code, verifier string) (auth.Identity, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return auth.Identity{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return auth.Identity{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return auth.Identity{}, fmt.Errorf("token endpoint: %s", resp.Status)
	}
	var claims struct {
		Tenant string `json:"tenant"`
		Sub    string `json:"sub"`
		Email  string `json:"email"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&claims); err != nil {
		return auth.Identity{}, err
	}
	return auth.Identity{TenantID: claims.Tenant, UserID: claims.Sub, Email: claims.Email}, nil
}
