//go:build js && wasm

package main

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/shrike/edge/jobs"
	"example.com/shrike/edge/kvx"
	"example.com/shrike/edge/passes"
	"example.com/shrike/edge/riders"
	"example.com/shrike/edge/signup"
	"example.com/shrike/edge/stations"
	"example.com/shrike/edge/unlock"
	"example.com/shrike/internal/bus"
	"example.com/shrike/internal/config"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/quota"
	"example.com/shrike/internal/repo"
	"example.com/shrike/internal/tokens"
)

// app is everything a request or a scheduled run needs. KV bindings are only
// reachable while the runtime is handling an event, so an app is built per
// event; the pieces that must outlive a request live at package level.
type app struct {
	handler http.Handler
	runner  jobs.Runner
}

var (
	counters kvop.Counters
	hits     atomic.Int64

	// memLimiter is shared by every request this isolate serves when the
	// in-memory limiter is configured.
	memLimiter = sync.OnceValue(func() *quota.Memory {
		cfg := loadConfig()
		return quota.NewMemory(cfg.UnlockPerMin, cfg.LimitWindow.D(), nil)
	})
)

type namespaces struct {
	sessions, riders, stations, codes, cache *kvx.Namespace
}

func build(cfg config.Edge, log *slog.Logger) (*app, error) {
	var ns namespaces
	var errs [5]error
	b := cfg.Bindings
	ns.sessions, errs[0] = kvx.Open(b.Sessions)
	ns.riders, errs[1] = kvx.Open(b.Riders)
	ns.stations, errs[2] = kvx.Open(b.Stations)
	ns.codes, errs[3] = kvx.Open(b.Codes)
	ns.cache, errs[4] = kvx.Open(b.Cache)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	exec := func(n *kvx.Namespace) kvop.Exec {
		return kvop.Chain(n.Exec(),
			kvop.Logging(log),
			kvop.Metrics(&counters),
			kvop.Retry(3, 150*time.Millisecond),
		)
	}

	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	signer := tokens.NewSigner([]byte(cloudflare.Getenv("TOKEN_SECRET")), nil)

	var limiter quota.Limiter
	switch cfg.Limiter {
	case "memory":
		limiter = memLimiter()
	default:
		limiter = quota.NewKV(exec(ns.codes), "ratelimit", cfg.UnlockPerMin, cfg.LimitWindow.D())
	}

	cmds := bus.New()
	mux := http.NewServeMux()

	riders.New(riders.Deps{
		Sessions: kvx.Sessions(ns.sessions, "session:"),
		Revoked:  kvx.Revocations(ns.sessions, nil),
		Auth:     kvop.Chain(exec(ns.sessions), kvop.Prefix("auth:")),
		Tokens:   ns.sessions.Binding(),
		Profiles: ns.riders,
		Provider: tokens.Endpoint{
			URL: cfg.OAuth.TokenURL, ClientID: cfg.OAuth.ClientID,
			ClientSecret: cloudflare.Getenv("OAUTH_CLIENT_SECRET"), Client: client,
		},
		Signer: signer,
		Config: cfg,
		Log:    log,
	}).Routes(mux)

	passRepo := repo.ForPrefixed[domain.Pass](exec(ns.riders))
	fares := kvx.NewCache(ns.cache,
		kvx.WithTTL(20*time.Second), // EXPECT kvttl
		kvx.WithEdgeCache(300),
	)
	passes.New(passRepo, ns.riders, fares,
		passes.OriginFetcher(client, cloudflare.Getenv("ORIGIN_URL")), signer, log).Register(cmds, mux)

	unlock.New(ns.codes, limiter, log).Routes(mux)

	stations.New(kvx.StationStatus(ns.stations), exec(ns.stations), ns.stations, stations.Settings{
		PresenceTTL: cfg.PresenceTTL.D(),
		Heartbeat:   cfg.Heartbeat.D(),
	}, log).Register(cmds, mux)

	riderRepo := repo.ForPrefixed[domain.Rider](exec(ns.riders))
	signup.New(ns.riders, riderRepo, passRepo).Routes(mux)

	mux.HandleFunc("GET /internal/metrics", func(w http.ResponseWriter, _ *http.Request) { httpx.JSON(w, http.StatusOK, counters.Snapshot()) })

	jb := jobs.New(ns.stations, ns.riders, kvx.Docs(ns.riders))
	runner := jobs.Runner{
		"*/5 * * * *": {jb.RebuildIndex, jb.SnapshotOnline},
		"0 * * * *":   {jb.IndexPromos},
		"0 3 * * *":   {jb.SweepReceipts, jb.ReportRedemptions},
	}

	h := httpx.Chain(mux,
		httpx.Recover(log),
		httpx.AccessLog(log),
		countHits(ns.stations, log),
	)
	return &app{handler: h, runner: runner}, nil
}

// countHits publishes a running request count for the status page every
// hundred requests.
func countHits(ns *kvx.Namespace, log *slog.Logger) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if n := hits.Add(1); n%100 == 0 {
				if err := ns.Put("stats:hits", strconv.FormatInt(n, 10), 0); err != nil { // EXPECT kvcounter
					log.Warn("publish hits", "err", err)
				}
			}
		})
	}
}
