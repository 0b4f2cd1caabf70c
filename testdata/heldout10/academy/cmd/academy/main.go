// Command academy runs the learning platform API, the event consumer and
// the scheduled jobs in one process.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/academy/internal/auth"
	"example.com/academy/internal/certs"
	"example.com/academy/internal/config"
	"example.com/academy/internal/courses"
	"example.com/academy/internal/dashboard"
	"example.com/academy/internal/enrol"
	"example.com/academy/internal/jobs"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/kvstore/cfkv"
	"example.com/academy/internal/kvstore/instrument"
	"example.com/academy/internal/progress"
	"example.com/academy/internal/quiz"
	"example.com/academy/internal/reports"
	"example.com/academy/internal/web"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("academy stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg := config.Load()
	cf := cfg.Cloudflare
	client := cloudflare.NewClient(option.WithAPIToken(cf.APIToken))

	var observe instrument.ObserverFunc = func(op string, d time.Duration, err error) {
		log.Debug("kv", "op", op, "took", d, "err", err)
	}
	var (
		data   kvstore.Store = instrument.Wrap(cfkv.New(client, cf.AccountID, cf.NamespaceID), observe)
		authKV kvstore.Store = instrument.Wrap(cfkv.New(client, cf.AccountID, cf.AuthNamespaceID), observe)
		public kvstore.Store = cfkv.New(client, cf.AccountID, cf.PublicNamespaceID)
	)
	db := &devDB{log: log}

	sessions := auth.NewSessions(authKV, cfg.Auth)
	resets := auth.NewResets(client, cf.AccountID, cf.AuthNamespaceID, cfg.Auth, db, db, sessions, func(op string, d time.Duration) { observe(op, d, nil) })
	verifier := auth.NewVerifier(client, cf.AccountID, cf.AuthNamespaceID, cfg.Auth.VerifyCodeTTL, authKV, db, db)
	sso := auth.NewSSO(authKV, "https://idp.example.com/authorize", "academy")

	catalog := courses.NewCatalog(data, db, cfg.Caching)
	tracker := progress.NewTracker(data)
	enrolSvc := enrol.NewService(client, cf.AccountID, cf.NamespaceID, data, db)
	issuer := certs.NewIssuer(data, client, cf.AccountID, cf.NamespaceID)
	quizSvc := quiz.NewService(client, cf.AccountID, cf.NamespaceID, data, public, db, log)
	enrolH := enrol.NewHandler(enrolSvc, log)
	dash := dashboard.New(data, instrument.LogPuts(data, log), tracker, db, cfg.Caching, log)
	nightly := reports.NewNightly(client, cf.AccountID, cf.NamespaceID, data, db, cfg.Reports, log)

	events := make(chan jobs.Event, cfg.QueueDepth)
	consumer := jobs.NewConsumer(events, data, tracker, catalog, issuer, log)
	warmer := jobs.NewWarmer(public, catalog, log)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/sso", sso.Begin)
	mux.HandleFunc("GET /auth/sso/callback", sso.Callback)
	mux.HandleFunc("POST /auth/reset", func(w http.ResponseWriter, r *http.Request) {
		if err := resets.Request(r.Context(), r.FormValue("email")); errors.Is(err, auth.ErrTooManyResets) {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /auth/verify", func(w http.ResponseWriter, r *http.Request) {
		learner, _ := auth.LearnerFrom(r.Context())
		if err := verifier.Confirm(r.Context(), learner, r.FormValue("code")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.Handle("POST /quiz/{quiz}/submit", sessions.Require(http.HandlerFunc(quizSvc.Submit)))
	mux.Handle("POST /enrol", sessions.Require(http.HandlerFunc(enrolH.Enrol)))
	mux.Handle("GET /instructor/{view}", sessions.Require(dash))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		if err := consumer.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("consumer stopped", "err", err)
		}
	}()
	go schedule(ctx, log, time.Minute, func(ctx context.Context) error { warmer.Warm(ctx); return nil })
	go schedule(ctx, log, 24*time.Hour, nightly.Run)

	srv := &http.Server{Addr: cfg.Addr, Handler: web.Chain(mux, web.Recover(log), web.Log(log)), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("academy listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// schedule runs job every interval until ctx is done.
func schedule(ctx context.Context, log *slog.Logger, every time.Duration, job func(context.Context) error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(ctx); err != nil {
				log.Warn("scheduled job failed", "err", err)
			}
		}
	}
}
