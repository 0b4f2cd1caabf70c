// Command meadow-api serves meadow's HTTP API.
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

	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	optv3 "github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/meadow/internal/certs"
	"example.com/meadow/internal/config"
	"example.com/meadow/internal/courses"
	"example.com/meadow/internal/enrol"
	"example.com/meadow/internal/httpapi"
	"example.com/meadow/internal/invites"
	"example.com/meadow/internal/kvstore"
	"example.com/meadow/internal/legacy/progress"
	"example.com/meadow/internal/quiz"
	"example.com/meadow/internal/ratelimit"
	"example.com/meadow/internal/reports"
	"example.com/meadow/internal/signin"
	"example.com/meadow/internal/webhooks"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("meadow-api stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	cf, clock := cfg.Cloudflare, time.Now
	api := kvstore.NewClient(cf.APIToken, 10*time.Second)
	store := kvstore.New(api, cf.AccountID, cf.NamespaceID)
	recent := kvstore.NewBuffered(store)
	defer recent.Close()
	legacy := cfv3.NewClient(optv3.WithAPIToken(cf.APIToken), optv3.WithRequestTimeout(10*time.Second))
	tracker := &progress.Tracker{Client: legacy, AccountID: cf.AccountID, Namespace: cf.LegacyNamespaceID, FlushEvery: 30 * time.Second, Clock: clock, Log: log}
	authoring := courses.AuthoringClient{BaseURL: os.Getenv("MEADOW_AUTHORING_URL"), HTTP: &http.Client{Timeout: 10 * time.Second}}

	enrolments := enrol.Service{Store: store, ReplayTTL: cfg.TTL.Idempotency, Clock: clock}
	// The issuer reads and writes through the same adapter.
	issuer := certs.Issuer{Read: store, Write: store, Key: cfg.SigningKey, Clock: clock}
	onEvent := func(ctx context.Context, tenantID string, ev webhooks.Event) error {
		switch ev.Type {
		case "payment.succeeded":
			_, err := enrolments.Handle(ctx, tenantID, enrol.EnrolCommand{Course: ev.Course, Learner: ev.Learner, IdempotencyKey: ev.ID})
			return err
		case "course.completed":
			_, err := issuer.Issue(ctx, tenantID, ev.Learner, ev.Course, ev.Title)
			return err
		}
		return nil
	}

	srv := &httpapi.Server{
		Store:    store,
		Recent:   recent,
		Sessions: signin.NewSessions(store, cfg.TTL.SessionSeconds, clock),
		Magic:    signin.MagicLinks{Client: api, AccountID: cf.AccountID, Namespace: cf.NamespaceID},
		OTP:      signin.OTP{Store: store, Window: cfg.SigninWindow, MaxHits: cfg.SigninMaxHits, Clock: clock},
		Catalog:  courses.NewCatalog(store, authoring, cfg.TTL.CatalogSeconds, log),
		Enrol:    enrolments,
		Grader:   quiz.Grader{Clock: clock},
		Verifier: certs.Verifier{Client: api, AccountID: cf.AccountID, Namespace: cf.NamespaceID, Key: cfg.SigningKey},
		Redeem: invites.RedeemInvite{Clock: clock, Enrol: func(ctx context.Context, tenantID, course, learner string) error {
			_, err := enrolments.Handle(ctx, tenantID, enrol.EnrolCommand{Course: course, Learner: learner})
			return err
		}},
		Webhooks: &webhooks.Receiver{
			Secrets: store, Seen: store, DedupeTTL: cfg.TTL.WebhookDedupe, Tolerance: cfg.WebhookTolerance,
			Handle: onEvent, Clock: clock, Log: log,
		},
		Limiter:  &ratelimit.Limiter{Store: store, Window: cfg.RateWindow, Plans: cfg.Plans, Clock: clock},
		Quotas:   &ratelimit.Quotas{Store: store, Plans: cfg.Plans, Clock: clock},
		Progress: tracker,
		Reports:  reports.Exporter{Client: legacy, AccountID: cf.AccountID, Namespace: cf.LegacyNamespaceID, MaxPages: cfg.AdminPageBudget},
		Mail: func(ctx context.Context, to, body string) error {
			// The mail relay picks these up from the log stream.
			log.InfoContext(ctx, "outbound mail", "to", to, "body", body)
			return nil
		},
		Clock: clock,
		Log:   log,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := recent.Flush(ctx); err != nil {
					log.Warn("recent flush failed", "err", err)
				}
			}
		}
	}()

	hs := &http.Server{Addr: cfg.Addr, Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	log.Info("meadow-api listening", "addr", cfg.Addr)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := tracker.Flush(shutdown); err != nil {
		log.Warn("view counts lost", "err", err)
	}
	return hs.Shutdown(shutdown)
}
