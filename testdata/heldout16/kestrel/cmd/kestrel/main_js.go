//go:build js && wasm

// Command kestrel is the Worker entry point: HTTP API, cron task and queue
// consumer.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/kestrel/internal/api"
	"example.com/kestrel/internal/artifacts"
	"example.com/kestrel/internal/audit"
	"example.com/kestrel/internal/auth"
	"example.com/kestrel/internal/config"
	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/flags"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/invites"
	"example.com/kestrel/internal/jobs"
	"example.com/kestrel/internal/pairing"
	"example.com/kestrel/internal/prefs"
	"example.com/kestrel/internal/ratewin"
	"example.com/kestrel/internal/store/kvstore"
)

type app struct {
	http.Handler
	jobs *jobs.Jobs
}

// The Worker environment is only readable once the runtime has started,
// so wiring happens on first use.
var getApp = sync.OnceValues(build)

func main() {
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		a, err := getApp()
		if err != nil {
			return err
		}
		return a.jobs.Cron(ctx)
	})
	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		a, err := getApp()
		if err != nil {
			return err
		}
		return a.jobs.Consume(batch)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := getApp()
		if err != nil {
			http.Error(w, "worker misconfigured: "+err.Error(), http.StatusInternalServerError)
			return
		}
		a.ServeHTTP(w, r)
	}))
}

func build() (*app, error) {
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}
	var ns [3]*kv.Namespace
	for i, b := range []string{cfg.Bindings.Main, cfg.Bindings.Edge, cfg.Bindings.Audit} {
		if ns[i], err = kv.NewNamespace(b); err != nil {
			return nil, err
		}
	}
	mainNS, edgeNS, auditNS := ns[0], ns[1], ns[2]
	mainSt, _ := kvstore.Open(cfg.Bindings.Main)
	edgeSt, _ := kvstore.Open(cfg.Bindings.Edge)
	auditSt, _ := kvstore.Open(cfg.Bindings.Audit)

	mail, err := queues.NewProducer("MAIL")
	if err != nil {
		return nil, err
	}
	bus := events.New(nil)
	flagSvc := flags.NewService(mainSt, nil)
	exps := flags.NewExperiments(mainSt, bus, cfg.Experiments)
	prefSvc := prefs.NewService(mainSt)
	keySvc := auth.NewKeys(mainSt, bus)
	sessions := auth.NewSessions(edgeNS, cfg.Sessions.TTL, cfg.Sessions.Idle)
	oauth := auth.NewOAuth(edgeNS, sessions, cloudflare.Getenv("GITHUB_CLIENT_ID"), cfg.Sessions.Cookie)
	oauth.Exchange = githubLogin
	issuer := pairing.NewIssuer(edgeNS, cfg.PairingDigits)
	trail := audit.NewTrail(auditNS, 20)
	arts := artifacts.New(mainNS)
	usage := ratewin.NewUsage(mainSt)
	limiter, err := ratewin.New(edgeNS, cfg.Rate.Strategy, cfg.Rate.Limit, cfg.Rate.Window)
	if err != nil {
		return nil, err
	}
	appendTrail := func(org, actor, action, target string) error {
		return trail.Append(audit.Entry{Org: org, Actor: actor, Action: action, Target: target, At: time.Now()})
	}

	events.Subscribe(bus, "roster", invites.Members{St: mainSt}.OnInviteAccepted)
	events.Subscribe(bus, "exposures", exps.OnExposure)
	events.Subscribe(bus, "trail", func(_ context.Context, e events.KeyRevoked) error {
		return appendTrail(e.Org, e.By, "key.revoked", "key/"+e.KeyID)
	})
	events.Subscribe(bus, "trail", func(_ context.Context, e events.DevicePaired) error {
		return appendTrail(e.Owner, e.Owner, "device.paired", "device/"+e.DeviceID)
	})

	mux := http.NewServeMux()
	api.Register(mux, api.Deps{
		Invites:     invites.New(mainSt, bus, cfg.Invites.TTL, cfg.Invites.MaxAttempts),
		Flags:       flagSvc,
		Evaluator:   flags.NewEvaluator(flagSvc, edgeSt, nil),
		Experiments: exps,
		Prefs:       prefSvc,
		Keys:        keySvc,
		Resets:      auth.NewResets(mainSt, bus, mailQueue{mail}, "https://"+cfg.Host),
		Claimer:     pairing.NewClaimer(edgeSt, bus),
		Insights: &api.Insights{St: mainSt, CacheFor: cfg.GitHubCache, Fetch: func(ctx context.Context, q string, v map[string]any) (json.RawMessage, error) {
			return githubGraphQL(ctx, "", q, v)
		}},
		Health: edgeSt,
		Defer:  cloudflare.WaitUntil,
	})
	snapshots := flags.NewSnapshotReader(mainNS)
	mux.HandleFunc("GET /v1/flags/snapshot", httpx.Handle(func(context.Context, struct{}) (flags.Snapshot, error) {
		return snapshots.Load()
	}))
	mux.HandleFunc("POST /v1/pair/start", httpx.Handle(issuer.Start))
	mux.HandleFunc("PUT /v1/artifacts/{project}/{version}", arts.Upload)
	mux.HandleFunc("GET /v1/artifacts/{project}/latest", arts.Latest)
	mux.HandleFunc("GET /auth/github", oauth.Begin)
	mux.HandleFunc("GET /auth/github/callback", oauth.Callback)
	mux.HandleFunc("POST /auth/logout", sessions.Logout(cfg.Sessions.Cookie))

	root := http.NewServeMux()
	root.Handle("/v1/", apiKeyAuth(keySvc, limiter, usage, mux))
	root.Handle("/dash/", sessions.Middleware(cfg.Sessions.Cookie, http.StripPrefix("/dash", mux)))
	root.Handle("/", mux)

	return &app{Handler: lastSeen(edgeNS, root), jobs: &jobs.Jobs{Main: mainNS, St: mainSt, AuditSt: auditSt,
		Experiments: cfg.Experiments, Retention: cfg.Audit.Retention, BatchSize: cfg.Audit.BatchSize, Log: slog.Default()}}, nil
}

// apiKeyAuth authenticates /v1 calls, applies the rate window and tallies
// usage for billing.
func apiKeyAuth(keySvc *auth.Keys, limiter ratewin.Limiter, usage *ratewin.Usage, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			httpx.WriteError(w, httpx.Errorf(http.StatusUnauthorized, "api_key_required", "send an API key as a bearer token"))
			return
		}
		key, err := keySvc.Authenticate(r.Context(), secret)
		if err != nil {
			httpx.WriteError(w, err)
			return
		}
		d, err := limiter.Allow(key.ID, time.Now())
		if err != nil {
			httpx.WriteError(w, err)
			return
		}
		if !d.Allowed {
			w.Header().Set("Retry-After", d.Reset.UTC().Format(http.TimeFormat))
			httpx.WriteError(w, httpx.Errorf(http.StatusTooManyRequests, "rate_limited", "rate limit exceeded"))
			return
		}
		usage.Record(key.ID)
		next.ServeHTTP(w, r)
		bg := context.WithoutCancel(r.Context())
		cloudflare.WaitUntil(func() { _ = usage.Flush(bg) })
	})
}

// mailQueue hands outgoing mail to the mailer Worker.
type mailQueue struct{ p *queues.Producer }

func (m mailQueue) SendReset(_ context.Context, email, link string) error {
	return m.p.SendJSON(map[string]string{"template": "password-reset", "to": email, "link": link})
}

// lastSeen records when the Worker last served traffic, for the status
// page.
func lastSeen(ns *kv.Namespace, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		_ = ns.PutString("status/last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
}
