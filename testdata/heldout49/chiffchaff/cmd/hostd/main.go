// Command hostd serves the public feeds, download redirects, the listener
// API and the creator dashboard.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/chiffchaff/podhost/internal/catalog"
	"github.com/chiffchaff/podhost/internal/clock"
	"github.com/chiffchaff/podhost/internal/counters"
	"github.com/chiffchaff/podhost/internal/feeds"
	"github.com/chiffchaff/podhost/internal/jobs"
	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/publishing"
	"github.com/chiffchaff/podhost/internal/ratelimit"
	"github.com/chiffchaff/podhost/internal/session"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	sessionLife := flag.Duration("session-lifetime", 30*24*time.Hour, "listener session lifetime")
	dlLimit := flag.Int("download-limit", 120, "downloads per IP per window")
	dlWindow := flag.Duration("download-window", 10*time.Second, "download rate window")
	tick := flag.Duration("tick", time.Minute, "job scheduler tick")
	flag.Parse()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	account := os.Getenv("CF_ACCOUNT_ID")
	content := kvstore.New(api, account, os.Getenv("KV_CONTENT_NS"))
	auth := kvstore.New(api, account, os.Getenv("KV_AUTH_NS"))
	stats := kvstore.New(api, account, os.Getenv("KV_STATS_NS"))

	clk := clock.System{}
	now := clock.Func(clk)

	cat := catalog.New(content, now)
	render := func(ctx context.Context, showID string) ([]byte, error) { return renderFeed(ctx, cat, showID) }
	feedCache := feeds.NewCache(content, render, now)
	pub := publishing.New(content, feedCache, now)
	cnt := counters.New(stats, clk)
	sessions := session.NewManager(auth, now, *sessionLife)
	creators := session.NewManager(auth, now, 12*time.Hour)
	mailer := func(ctx context.Context, to, subject, body string) error {
		log.Printf("mail to=%s subject=%q", to, subject)
		return nil
	}
	creatorAuth := session.NewAuth(auth, creators, now, mailer)
	allow := ratelimit.NewWindowLimiter(stats, "rl:dl:", *dlLimit, *dlWindow, now)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /feeds/{show}", feeds.MakeFeedHandler(feedCache, stats, now))
	mux.HandleFunc("GET /dl/{show}/{episode}", makeDownload(cat, cnt, allow))
	mux.HandleFunc("POST /play/{episode}", makePlay(stats, sessions, cnt, now))
	mux.HandleFunc("POST /me/progress", makeProgress(sessions))
	mux.HandleFunc("POST /me/logout", makeLogout(sessions, session.Listener))
	mux.HandleFunc("POST /dashboard/logout", makeLogout(creators, session.Creator))
	mux.HandleFunc("GET /dashboard", makeDashboard(creators))
	mux.HandleFunc("GET /auth/magic", makeRedeem(creatorAuth))
	mux.HandleFunc("POST /dashboard/subdomain", makeReserve(cat, creators))
	mux.HandleFunc("POST /view/{episode}", makeView(cnt))
	mux.HandleFunc("GET /healthz", makeHealth(stats, "health:hostd", now))

	sched := &jobs.Scheduler{Tick: *tick}
	sched.Register(
		publishing.NewDueJob(pub),
		publishing.NewUpcomingJob(pub),
		publishing.NewPruneDraftsJob(content, now),
		publishing.NewWarmFeedsJob(content, render),
		publishing.NewHeartbeatJob(stats, now),
		jobFunc{"flush-views", cnt.FlushViews},
	)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go sched.Start(ctx)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// jobFunc adapts a function to jobs.Job.
type jobFunc struct {
	name string
	run  func(context.Context) error
}

func (j jobFunc) Name() string                  { return j.name }
func (j jobFunc) Run(ctx context.Context) error { return j.run(ctx) }
