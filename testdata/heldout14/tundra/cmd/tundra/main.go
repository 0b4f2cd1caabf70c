// Command tundra runs the Tundra API: key authentication, usage metering,
// partner onboarding and the partner portal.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/tundra/internal/apikeys"
	"example.com/tundra/internal/catalog"
	"example.com/tundra/internal/config"
	"example.com/tundra/internal/coupons"
	"example.com/tundra/internal/entity"
	"example.com/tundra/internal/httpapi"
	"example.com/tundra/internal/idempotency"
	"example.com/tundra/internal/invites"
	"example.com/tundra/internal/legacy/kvv0"
	"example.com/tundra/internal/legacy/oauthlink"
	"example.com/tundra/internal/metering"
	"example.com/tundra/internal/partners"
	"example.com/tundra/internal/portal"
	"example.com/tundra/internal/ratelimit"
	"example.com/tundra/internal/storage/cfkv"
	"example.com/tundra/internal/webhooks"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("tundra exited", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
	ns := func(id string) *cfkv.Adapter { return cfkv.New(cf, cfg.AccountID, id) }
	keysKV, usageKV, cacheKV, partnersKV := ns(cfg.KeysNamespace), ns(cfg.UsageNamespace), ns(cfg.CacheNamespace), ns(cfg.PartnersNamespace)
	now := time.Now

	legacy, err := kvv0.New(cfg.LegacyAPIKey, cfg.LegacyEmail, cfg.AccountID, cfg.LegacyNamespace)
	if err != nil {
		return fmt.Errorf("legacy client: %w", err)
	}
	profiles := entity.Repo[partners.Profile]{Store: partnersKV, Prefix: "partner:"}
	api := &httpapi.Server{
		Keys:      &apikeys.Service{Store: keysKV, RevocationTTL: cfg.RevocationTTL, Now: now},
		IPLimit:   &ratelimit.FixedWindow{Client: cf, AccountID: cfg.AccountID, NamespaceID: cfg.UsageNamespace, Limit: 600, Now: now},
		KeyLimit:  &ratelimit.Sliding{Store: usageKV, Window: cfg.RateWindow, Max: 100, Now: now},
		Quota:     &metering.QuotaGuard{Store: usageKV, Plans: cfg.PlanFor, Now: now},
		Usage:     &metering.Recorder{Reads: usageKV, Writes: usageKV, Region: os.Getenv("CF_REGION")},
		Catalog:   &catalog.Catalog{Cache: cacheKV, Source: billingSource{base: os.Getenv("BILLING_URL")}, TTLSeconds: cfg.CatalogTTLSeconds, FillWait: cfg.CatalogFillWait, Log: log},
		Onboard:   &partners.Onboarding{Store: partnersKV, Profiles: profiles, Now: now, Log: log},
		Profiles:  partners.UpdateProfile{Profiles: profiles, Now: now},
		Directory: &partners.Directory{Store: partnersKV, Cache: cacheKV},
		Invite:    invites.CreateInvite{Invites: invites.KVInvites{Store: partnersKV}, Clock: now},
		Redeem:    invites.RedeemInvite{Invites: invites.KVInvites{Store: partnersKV}, Members: invites.KVMembers{Store: partnersKV}, Clock: now},
		Coupons:   &coupons.Book{Store: partnersKV, Now: now},
		Idem:      &idempotency.Middleware{Store: cacheKV, TTL: cfg.IdempotencyTTL, Partner: func(r *http.Request) string { return r.Header.Get("X-Partner") }, Log: log},
		Status:    cacheKV,
		Log:       log,
	}
	sessions := &portal.Sessions{Client: cf, AccountID: cfg.AccountID, NamespaceID: cfg.PortalNamespace, TTLSeconds: cfg.SessionTTLSeconds, IdleRefresh: 15 * time.Minute, Now: now}
	bridge := &oauthlink.Bridge{
		KV:        legacy,
		Provider:  oauthlink.Provider{AuthURL: os.Getenv("CRM_AUTH_URL"), ClientID: os.Getenv("CRM_CLIENT_ID"), RedirectURL: os.Getenv("CRM_REDIRECT_URL"), Scopes: []string{"alerts.write"}},
		Exchange:  crmExchange(os.Getenv("CRM_TOKEN_URL"), os.Getenv("CRM_CLIENT_ID"), os.Getenv("CRM_CLIENT_SECRET")),
		Log:       log,
		PartnerOf: func(r *http.Request) string { return r.Header.Get("X-Partner") },
	}
	receiver := &webhooks.Receiver{
		Client: cf, AccountID: cfg.AccountID, NamespaceID: cfg.WebhookNamespace,
		Secret: cfg.WebhookSecret, DedupeWindow: cfg.DedupeWindow, Log: log,
		Handle: func(ctx context.Context, ev webhooks.Event) error {
			if ev.Type == "invoice.paid" {
				return legacy.AppendAudit(ctx, ev.PartnerID, "billing", "invoice paid")
			}
			return nil
		},
	}

	mux := http.NewServeMux()
	mux.Handle("/", api.Routes())
	mux.Handle("POST /hooks/billing", receiver)
	mux.HandleFunc("GET /integrations/crm/start", bridge.Start)
	mux.HandleFunc("GET /integrations/crm/callback", bridge.Callback)
	mux.HandleFunc("GET /integrations/crm/heartbeat", bridge.Heartbeat)
	mux.Handle("POST /portal/logout", sessions.Middleware(func(w http.ResponseWriter, r *http.Request, s portal.Session) {
		if err := sessions.Logout(r.Context(), s.ID); err != nil {
			http.Error(w, "logout failed", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: portal.CookieName, MaxAge: -1, Path: "/"})
		http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
	}))

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		if err := api.Catalog.Warm(ctx); err != nil {
			log.Warn("catalog warm-up incomplete", "err", err)
		}
	}()
	log.Info("listening", "addr", cfg.ListenAddr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fetchJSON performs req and decodes a 200 response into v.
func fetchJSON(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// billingSource reads plans from the billing backend's JSON API.
type billingSource struct{ base string }

func (b billingSource) Plan(ctx context.Context, name string) (doc catalog.PlanDoc, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/plans/"+url.PathEscape(name), nil)
	if err == nil {
		err = fetchJSON(req, &doc)
	}
	return doc, err
}

func (b billingSource) Plans(ctx context.Context) (names []string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/plans", nil)
	if err == nil {
		err = fetchJSON(req, &names)
	}
	return names, err
}

func crmExchange(tokenURL, clientID, secret string) func(context.Context, string) (oauthlink.Token, error) {
	return func(ctx context.Context, code string) (t oauthlink.Token, err error) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "client_secret": {secret}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return t, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		err = fetchJSON(req, &t)
		return t, err
	}
}
