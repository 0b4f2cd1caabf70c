//go:build js && wasm

// Command gateway is the auth/API gateway Worker.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/authgw/internal/apikey"
	"example.com/authgw/internal/audit"
	"example.com/authgw/internal/cache"
	"example.com/authgw/internal/d1store"
	"example.com/authgw/internal/dobj"
	"example.com/authgw/internal/flags"
	"example.com/authgw/internal/httpapi"
	"example.com/authgw/internal/idem"
	"example.com/authgw/internal/identity"
	"example.com/authgw/internal/jobs"
	"example.com/authgw/internal/kvmetrics"
	"example.com/authgw/internal/kvstore"
	"example.com/authgw/internal/magiclink"
	"example.com/authgw/internal/metrics"
	"example.com/authgw/internal/middleware"
	"example.com/authgw/internal/oauth"
	"example.com/authgw/internal/password"
	"example.com/authgw/internal/proxy"
	"example.com/authgw/internal/routing"
	"example.com/authgw/internal/session"
	"example.com/authgw/internal/tokens"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	reg := metrics.NewRegistry()

	// AUTH_KV holds credentials, sessions and tenant config; EDGE_CACHE holds
	// disposable copies of upstream data.
	kvs := kvmetrics.Wrap(kvstore.MustOpen("AUTH_KV"), reg)
	edge := kvmetrics.Wrap(kvstore.MustOpen("EDGE_CACHE"), reg)
	db := must(d1store.Open("DB"))
	tenantLimiter := must(dobj.NewLimiter("TENANT_LIMITER"))

	httpClient := fetch.NewClient().HTTPClient(fetch.RedirectModeManual)
	baseURL := cloudflare.Getenv("PUBLIC_URL")

	users := identity.NewDirectory(kvs)
	guard := password.NewGuard(kvs, password.DefaultPolicy)
	sessions := session.NewManager(kvs, session.Config{
		IdleTimeout:     12 * time.Hour,
		AbsoluteTimeout: 30 * 24 * time.Hour,
		StepUpWindow:    45 * time.Second, // EXPECT kvttl
	})
	refresh := tokens.NewService(kvs, tokens.Config{
		RefreshTTL:     14 * 24 * time.Hour,
		FamilyLifetime: 90 * 24 * time.Hour,
	})
	links := magiclink.NewService(kvs, magiclink.Config{
		BaseURL:    baseURL,
		LinkTTL:    15 * time.Minute,
		MaxPerHour: 5,
	}, mailer(httpClient, cloudflare.Getenv("MAIL_API_URL"), cloudflare.Getenv("MAIL_API_TOKEN")))
	states := oauth.NewStateStore(kvs)
	codes := oauth.NewCodeStore(kvs)
	clients := oauth.NewClients(kvs)
	exchanger := &oauth.Exchanger{Client: httpClient, Endpoints: upstreamEndpoints(baseURL)}

	keys := apikey.NewStore(kvs)
	limiter := apikey.NewLimiter(kvs)
	quota := apikey.NewQuota(kvs, db)

	flagCache := cache.New[flags.Set](edge,
		cache.WithPrefix("flags:v1:"),
		cache.WithTTL(45*time.Second), // EXPECT kvttl
		cache.WithEdgeTTL(time.Minute),
		cache.WithLocalTTL(10*time.Second),
	)
	flagSvc := flags.NewService(kvs, flagCache,
		flags.HTTPFetcher(httpClient, cloudflare.Getenv("FLAGS_URL"), cloudflare.Getenv("FLAGS_TOKEN")))

	resolver := routing.NewResolver(kvs, routing.Options{
		TableTTL:     10 * time.Minute,
		EdgeCacheTTL: 20 * time.Second, // EXPECT kvttl
		LocalTTL:     30 * time.Second,
	})
	routeAdmin := routing.NewAdmin(kvs, resolver)
	trail := audit.NewLog(kvs, 400*24*time.Hour)

	api := httpapi.New(httpapi.Deps{
		Signup:         users.Signup,
		UserByEmail:    users.ByEmail,
		VerifyPassword: users.Verify,
		ChangePassword: users.ChangePassword,

		CheckLock:   guard.Check,
		LoginFailed: guard.Fail,
		LoginOK:     guard.Succeed,
		CountLogin:  db.CountLogin,

		CreateSession:  sessions.Create,
		PeekSession:    sessions.Peek,
		EndSession:     sessions.Destroy,
		EndAllSessions: sessions.DestroyAll,
		GrantStepUp:    sessions.GrantStepUp,
		HasStepUp:      sessions.HasStepUp,

		IssueRefresh:  refresh.Issue,
		RotateRefresh: refresh.Rotate,
		RevokeRefresh: refresh.RevokeAll,

		SendMagicLink:   links.Issue,
		RedeemMagicLink: links.Redeem,

		Providers:        providers(),
		CallbackURL:      baseURL + "/oauth/callback",
		BeginUpstream:    states.Begin,
		ConsumeState:     states.Consume,
		ExchangeUpstream: exchanger.Exchange,
		CheckRedirect:    clients.CheckRedirect,
		IssueCode:        codes.Issue,
		RedeemCode:       codes.Redeem,
		RegisterClient:   clients.Register,
		AddRedirect:      clients.AddRedirect,

		CreateKey:  keys.Create,
		RevokeKey:  keys.Revoke,
		ListKeys:   keys.ListPage,
		ExportKeys: keys.ExportAll,

		EvaluateFlags:   flagSvc.Evaluate,
		SetFlag:         flagSvc.SetOverride,
		ClearFlag:       flagSvc.ClearOverride,
		RecordExposures: flagSvc.RecordExposures,

		PutRoute:   routeAdmin.PutRoute,
		ListRoutes: routeAdmin.ListRoutes,
		SetOrigin:  routeAdmin.SetOrigin,

		Audit:      trail.Record,
		AuditIndex: trail.Index,
		AuditEvent: trail.Get,
		AuditTail:  trail.Recent,

		AdminToken: cloudflare.Getenv("ADMIN_TOKEN"),
		Log:        log,
	})

	keyCheck := middleware.KeyCheck[*apikey.Key]{
		Verify: keys.Verify,
		Principal: func(k *apikey.Key) *middleware.Principal {
			return &middleware.Principal{TenantID: k.TenantID, KeyID: k.ID, Scopes: k.Scopes}
		},
		Allow: func(ctx context.Context, k *apikey.Key) (bool, error) {
			return limiter.Allow(ctx, k.ID, k.PerMinute)
		},
		Charge: quota.Charge,
		Touch:  keys.Touch,
	}

	resume := func(ctx context.Context, id string) (string, error) {
		s, err := sessions.Resume(ctx, id)
		if err != nil {
			return "", err
		}
		revoked, err := users.RevokedBefore(ctx, s.UserID)
		if err != nil {
			return "", err
		}
		if !revoked.IsZero() && s.CreatedAt.Before(revoked) {
			return "", session.ErrExpired
		}
		return s.UserID, nil
	}

	handler := api.Routes(httpapi.Mounts{
		Base: []middleware.Middleware{
			middleware.RequestID,
			middleware.Recover(log),
			middleware.AccessLog(log),
		},
		Throttle:   middleware.IPThrottle(kvs, "auth", middleware.ThrottleConfig{Limit: 30, Bucket: 5 * time.Minute}),
		Session:    middleware.RequireSession(resume),
		Idempotent: idem.Middleware(kvs, 24*time.Hour),
		APIKey:     middleware.RequireAPIKey(keyCheck, log),
		Proxy: &proxy.Handler{
			Client:      fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
			Resolve:     resolver.Resolve,
			KV:          kvs,
			Log:         log,
			StrictAllow: tenantLimiter.Allow,
			Strict:      strictTenants(cloudflare.Getenv("STRICT_TENANTS")),
		},
		Metrics: reg,
	})

	runner := jobs.NewRunner(jobs.Deps{
		KV:          kvs,
		Offboarded:  db.Offboarded,
		ReportStale: staleReporter(trail),
		Log:         log,
		Instance:    cloudflare.Getenv("DEPLOYMENT_ID"),
	})
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		log.Info("cron", "schedule", ev.Cron, "at", ev.ScheduledTime)
		return runner.Run(ctx)
	})

	workers.Serve(handler)
}

func providers() map[string]httpapi.Provider {
	return map[string]httpapi.Provider{
		"google": {AuthURL: "https://accounts.google.com/o/oauth2/v2/auth", ClientID: cloudflare.Getenv("GOOGLE_CLIENT_ID"), Scopes: "openid email"},
		"github": {AuthURL: "https://github.com/login/oauth/authorize", ClientID: cloudflare.Getenv("GITHUB_CLIENT_ID"), Scopes: "read:user user:email"},
	}
}

func upstreamEndpoints(base string) map[string]oauth.Endpoint {
	cb := base + "/oauth/callback"
	return map[string]oauth.Endpoint{
		"google": {
			TokenURL: "https://oauth2.googleapis.com/token", UserInfoURL: "https://openidconnect.googleapis.com/v1/userinfo",
			ClientID: cloudflare.Getenv("GOOGLE_CLIENT_ID"), ClientSecret: cloudflare.Getenv("GOOGLE_CLIENT_SECRET"), RedirectURI: cb,
		},
		"github": {
			TokenURL: "https://github.com/login/oauth/access_token", UserInfoURL: cloudflare.Getenv("GITHUB_USERINFO_URL"),
			ClientID: cloudflare.Getenv("GITHUB_CLIENT_ID"), ClientSecret: cloudflare.Getenv("GITHUB_CLIENT_SECRET"), RedirectURI: cb,
		},
	}
}

func strictTenants(csv string) map[string]bool {
	out := map[string]bool{}
	for _, t := range strings.Split(csv, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out[t] = true
		}
	}
	return out
}

// mailer posts sign-in links to the transactional mail API.
func mailer(client *http.Client, endpoint, token string) magiclink.Mailer {
	return func(ctx context.Context, to, link string) error {
		body, _ := json.Marshal(map[string]string{
			"to": to, "template": "magic-link", "link": link,
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			return fmt.Errorf("mail api: status %d", resp.StatusCode)
		}
		return nil
	}
}

// staleReporter records abandoned keys in the audit trail for the weekly review.
func staleReporter(trail *audit.Log) func(context.Context, []jobs.StaleKey) error {
	return func(ctx context.Context, keys []jobs.StaleKey) error {
		for _, k := range keys {
			if err := trail.Record(ctx, audit.Event{Actor: "cron", Action: "apikey.stale", Target: k.TenantID + "/" + k.ID, OK: true}); err != nil {
				return err
			}
		}
		return nil
	}
}
