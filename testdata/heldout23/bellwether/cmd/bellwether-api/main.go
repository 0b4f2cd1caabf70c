// Command bellwether-api serves the newsroom dashboard API and the origin
// side of poll embeds.
package main

import (
	"context"
	"errors"
	"expvar"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/bellwether/internal/cfapi"
	"example.com/bellwether/internal/config"
	"example.com/bellwether/internal/embed"
	"example.com/bellwether/internal/exports"
	"example.com/bellwether/internal/httpapi"
	"example.com/bellwether/internal/jobs"
	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/kvstore/cfkv"
	"example.com/bellwether/internal/kvstore/memkv"
	"example.com/bellwether/internal/ops"
	"example.com/bellwether/internal/polls"
	"example.com/bellwether/internal/ratelimit"
	"example.com/bellwether/internal/results"
	"example.com/bellwether/internal/sessions"
	"example.com/bellwether/internal/ttlpolicy"
	"example.com/bellwether/internal/votes"
)

type expvarMetrics struct{ calls, errs, micros *expvar.Map }

func (m expvarMetrics) Observe(op string, d time.Duration, err error) {
	m.calls.Add(op, 1)
	m.micros.Add(op, d.Microseconds())
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		m.errs.Add(op, 1)
	}
}

func main() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	transport := &cfapi.Transport{Token: cfg.APIToken, UserAgent: "bellwether-api/1"}
	httpClient := cfapi.NewHTTPClient(transport, 30*time.Second)

	var base kvstore.Store
	var admin *ops.Admin
	if cfg.MemoryStore {
		base = memkv.New()
	} else {
		client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithHTTPClient(httpClient), option.WithBaseURL(cfg.APIBase))
		ns, err := cfkv.New(client, cfkv.WithAccount(cfg.AccountID, cfg.NamespaceID), cfkv.WithPageSize(1000))
		if err != nil {
			log.Fatal(err)
		}
		base = ns
		admin = ops.New(client, cfg.AccountID, cfg.NamespaceID)
	}
	metrics := expvarMetrics{calls: expvar.NewMap("kv_calls"), errs: expvar.NewMap("kv_errors"), micros: expvar.NewMap("kv_micros")}
	store := kvstore.Chain(base, kvstore.WithMetrics(metrics), kvstore.WithLogging(log.Default()), kvstore.WithPrefix(cfg.KeyPrefix))

	pollRepo := polls.NewRepo(store)
	pollSvc := polls.NewService(pollRepo)
	buffer := votes.NewBuffer(store, cfg.FlushInterval())
	recorder := votes.NewRecorder(store, votes.WithRetention(cfg.Retention()), votes.WithBuffer(buffer))
	sessionMgr := sessions.NewManager(sessions.NewRepo(store, cfg.SessionTTL()), cfg.SessionTTL())
	sites := embed.NewSites(store)
	tokens := embed.NewTokens(store, []byte(os.Getenv("BW_EMBED_SECRET")))

	resultsCfg := results.DefaultConfig()
	resultsCache := results.New(store, resultsCfg, recorder, pollSvc)
	resultsCfg.TTL = cfg.ResultsTTL()
	if os.Getenv("BW_ELECTION_NIGHT") == "1" {
		// Election night: live desks want numbers that move.
		resultsCfg.TTL = 25 * time.Second // EXPECT kvttl
	}

	dispatcher := exports.NewDispatcher(store)
	w := kvstore.NewWriter(store)
	runner := exports.NewRunner(store, dispatcher, func(ctx context.Context, job exports.Job) (exports.Sink, error) {
		return exports.NewMemorySink(func(ctx context.Context, body []byte) (string, error) {
			key := "export-file:" + job.ID
			err := w.Entry(key).Value(body).TTL(ttlpolicy.ExportLinkTTL).Meta("poll", job.PollID).Put(ctx)
			return "/v1/exports/" + job.ID + "/file", err
		}), nil
	}, cfg.ExportMaxRows, 20)

	limiter := ratelimit.NewShared(store, ratelimit.TierPolicy{
		TierOf: func(ctx context.Context, site string) ttlpolicy.Tier {
			s, err := sites.Lookup(ctx, site)
			if err != nil {
				return ttlpolicy.TierFree
			}
			return s.Tier
		},
		Per: cfg.RateWindow(),
	})

	api := httpapi.New(store, httpapi.WithPolls(pollSvc), httpapi.WithVotes(recorder), httpapi.WithViews(buffer),
		httpapi.WithSessions(sessionMgr), httpapi.WithEmbed(sites, tokens), httpapi.WithResults(resultsCache),
		httpapi.WithExports(runner), httpapi.WithLimiter(limiter))

	var sched jobs.Scheduler
	sched.Add(
		jobs.Heartbeat{W: w},
		jobs.Refresher{Store: store, Polls: pollRepo, Results: resultsCache},
		jobs.ProgressReaper{Store: store},
		jobs.SessionAudit{Store: store, PageBudget: cfg.SweepPageBudget},
	)
	sched.Start(ctx)
	go buffer.Run(ctx)
	go runner.Serve(ctx)

	mux := http.NewServeMux()
	mux.Handle("/v1/", api.Handler())
	mux.Handle("GET /debug/vars", expvar.Handler())
	if admin != nil {
		mountAdmin(mux, admin)
	}

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("bellwether-api listening on %s", cfg.ListenAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	sched.Wait()
	<-buffer.Done()
}
