// Command vireo-api serves the council's civic-engagement platform.
package main

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/vireo/internal/accounts"
	"example.com/vireo/internal/cfenv"
	"example.com/vireo/internal/consultation"
	"example.com/vireo/internal/experiments"
	"example.com/vireo/internal/httpapi"
	"example.com/vireo/internal/jobs"
	"example.com/vireo/internal/kvstore/cfkv"
	"example.com/vireo/internal/legacy/digest"
	"example.com/vireo/internal/moderation"
	"example.com/vireo/internal/notify"
	"example.com/vireo/internal/pagecache"
	"example.com/vireo/internal/petitions"
	"example.com/vireo/internal/polls"
	"example.com/vireo/internal/sessions"
	"example.com/vireo/internal/signin"
	"example.com/vireo/internal/waitingroom"
)

type logMailer struct{}

func (logMailer) SendSignIn(_ context.Context, to string, link *url.URL) error {
	log.Printf("sign-in link for %s: %s", to, link.Redacted())
	return nil
}

func (logMailer) SendDigest(_ context.Context, issue string, items []digest.Item) error {
	log.Printf("digest %s: %d items", issue, len(items))
	return nil
}

type noStats struct{}

func (noStats) Stats(_ context.Context, day time.Time) (jobs.Snapshot, error) {
	return jobs.Snapshot{Day: day.Format(time.DateOnly)}, nil
}

func main() {
	cfg, err := cfenv.FromEnv()
	if err != nil {
		log.Fatal(err)
	}
	client := cfg.Client()
	ns := client.KV.Namespaces
	civic := cfkv.New(client, cfg.AccountID, cfg.Namespaces.Civic)
	pagesNS := cfkv.New(client, cfg.AccountID, cfg.Namespaces.Pages)
	sessionsNS := cfkv.New(client, cfg.AccountID, cfg.Namespaces.Sessions)
	modNS := cfkv.New(client, cfg.AccountID, cfg.Namespaces.Moderation)

	db, err := sql.Open(os.Getenv("VIREO_SQL_DRIVER"), os.Getenv("VIREO_SQL_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ballots := polls.D1Ballots{DB: db}

	base, err := url.Parse(os.Getenv("VIREO_PUBLIC_URL"))
	if err != nil {
		log.Fatal(err)
	}
	tmpl := template.Must(template.New("pages").ParseGlob(os.Getenv("VIREO_TEMPLATES")))
	clock := time.Now
	repo := consultation.NewRepo(civic, clock)
	threads := &moderation.Threads{Store: modNS, Clock: clock}

	srv := &httpapi.Server{
		Civic:         civic,
		Consultations: repo,
		Pages:         pagecache.New(pagesNS, cfg.PageTTL, clock),
		CastVote: polls.CastVote{
			Polls:   repo,
			Ballots: ballots,
			Live:    polls.KVTally{Store: civic},
			Clock:   clock,
		},
		Petitions: petitions.Service{Store: civic, Clock: clock},
		Accounts:  accounts.Registry{Store: civic, Clock: clock},
		Sessions: &sessions.Store{
			KV: ns, AccountID: cfg.AccountID, Namespace: cfg.Namespaces.Sessions,
			TTL: cfg.SessionTTL, Sliding: os.Getenv("VIREO_SLIDING_SESSIONS") == "1", Clock: clock,
		},
		Links:     signin.Links{Store: sessionsNS, Mailer: logMailer{}, BaseURL: base, Clock: clock},
		Lockout:   signin.Lockout{Store: sessionsNS, Limit: 5},
		Devices:   signin.Devices{Store: sessionsNS, Clock: clock},
		Lab:       experiments.NewLab(ns, cfg.AccountID, cfg.Namespaces.Experiments),
		LayoutExp: os.Getenv("VIREO_LAYOUT_EXPERIMENT"),
		Threads:   threads,
		Queue:     moderation.Queue{Store: modNS, Threads: threads, Threshold: 3, Clock: clock},
		Prefs:     notify.Preferences{Store: civic, Clock: clock},
		Room:      &waitingroom.Room{KV: ns, AccountID: cfg.AccountID, Namespace: cfg.Namespaces.Civic, AdmitRate: 120, Clock: clock},
		Templates: tmpl,
		Clock:     clock,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if os.Getenv("VIREO_ROLE") == "weekly-digest" {
		d := &digest.Builder{KV: cfg.LegacyClient().KV.Namespaces, AccountID: cfg.AccountID,
			Namespace: cfg.Namespaces.Civic, Sender: logMailer{}, Clock: clock}
		if err := d.Run(ctx); err != nil {
			log.Fatal(err)
		}
		return
	}
	runner := &jobs.Runner{KV: ns, AccountID: cfg.AccountID, Civic: cfg.Namespaces.Civic, Pages: cfg.Namespaces.Pages, Clock: clock}
	go func() {
		if err := runner.RunStats(ctx, noStats{}, time.Hour); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("stats: %v", err)
		}
	}()

	hs := &http.Server{Addr: cfg.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Printf("vireo-api listening on %s", cfg.Addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
