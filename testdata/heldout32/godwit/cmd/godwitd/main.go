// Command godwitd serves the godwit newsletter platform: hosted signup
// forms, confirmation and unsubscribe links, click tracking, provider
// webhooks and the admin API. It also runs the bounce worker and the
// statistics jobs.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/smtp"
	"os"
	"os/signal"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"godwit/internal/admin"
	"godwit/internal/bounce"
	"godwit/internal/cache"
	"godwit/internal/campaigns"
	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/optin"
	"godwit/internal/quota"
	"godwit/internal/stats"
	"godwit/internal/subscribers"
	"godwit/internal/unsub"
	"godwit/internal/warehouse"
)

type config struct {
	Addr, BaseURL, AccountID, DataNS, AuthNS, DBDriver, DSN, SMTPAddr, MailFrom string
	SessionTTL, IdleTimeout, StatusEvery                                        time.Duration
	SignupsPerIP, BounceWorkers                                                 int
}

func loadConfig() config {
	c := config{AccountID: os.Getenv("CF_ACCOUNT_ID"), DataNS: os.Getenv("GODWIT_DATA_NS"),
		AuthNS: os.Getenv("GODWIT_AUTH_NS"), DSN: os.Getenv("GODWIT_DSN")}
	flag.StringVar(&c.Addr, "addr", ":8080", "listen address")
	flag.StringVar(&c.BaseURL, "base-url", "https://lists.godwit.email", "public base URL")
	flag.StringVar(&c.DBDriver, "db-driver", "pgx", "database/sql driver name")
	flag.StringVar(&c.SMTPAddr, "smtp", "localhost:25", "SMTP relay")
	flag.StringVar(&c.MailFrom, "mail-from", "no-reply@godwit.email", "sender of transactional mail")
	flag.DurationVar(&c.SessionTTL, "session-ttl", 12*time.Hour, "admin session lifetime")
	flag.DurationVar(&c.IdleTimeout, "idle-timeout", 2*time.Hour, "admin session idle timeout")
	flag.DurationVar(&c.StatusEvery, "status-every", 15*time.Second, "bounce worker status interval")
	flag.IntVar(&c.SignupsPerIP, "signups-per-ip", 5, "signups per IP per minute")
	flag.IntVar(&c.BounceWorkers, "bounce-workers", 4, "bounce worker goroutines")
	flag.Parse()
	return c
}

type app struct {
	cfg       config
	log       *slog.Logger
	data      kvstore.Store
	subs      *subscribers.Service
	optin     *optin.Service
	unsub     *unsub.Service
	quota     *quota.Service
	stats     *stats.Tracker
	campaigns *campaigns.Service
	admin     *admin.Service
	links     *cache.Loader[string, string]
	bounces   chan []bounce.Notification
}

func main() {
	cfg := loadConfig()
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(cfg, log); err != nil {
		log.Error("godwitd", "err", err)
		os.Exit(1)
	}
}

func run(cfg config, log *slog.Logger) error {
	token := os.Getenv("CF_API_TOKEN")
	dataNS := kvstore.Open(token, cfg.AccountID, cfg.DataNS)
	authNS := kvstore.Open(token, cfg.AccountID, cfg.AuthNS)
	data := kvstore.Traced{Store: dataNS, Log: log, Name: "data"}
	auth := kvstore.Traced{Store: authNS, Log: log, Name: "auth"}

	db, err := sql.Open(cfg.DBDriver, cfg.DSN)
	if err != nil {
		return err
	}
	defer db.Close()
	wh := warehouse.New(db)

	mail := &smtpMailer{addr: cfg.SMTPAddr, from: cfg.MailFrom}
	subs := subscribers.New(data, log)
	q := quota.New(data, wh)
	u := unsub.New(data, subs, cfg.BaseURL)
	host, _ := os.Hostname()

	a := &app{
		cfg:       cfg,
		log:       log,
		data:      data,
		subs:      subs,
		optin:     optin.New(data, subs, mail, cfg.BaseURL),
		unsub:     u,
		quota:     q,
		stats:     stats.NewTracker(data, dataNS, wh, log),
		campaigns: campaigns.New(dataNS, data, subs, q, u, mail, host, log),
		admin:     admin.New(auth, cfg.SessionTTL, cfg.IdleTimeout, mail, cfg.BaseURL),
		links: &cache.Loader[string, string]{
			Store: data,
			Key:   func(id string) string { return keys.Build(keys.LinkTarget, id) },
			Fetch: wh.LinkTarget,
			TTL:   6 * time.Hour,
		},
		bounces: make(chan []bounce.Notification, 16),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	v0, err := cfv0.NewWithAPIToken(token)
	if err != nil {
		return err
	}
	worker := bounce.NewWorker(v0, bounce.Config{
		AccountID:   cfg.AccountID,
		NamespaceID: cfg.DataNS,
		Workers:     cfg.BounceWorkers,
		SoftLimit:   3,
		FlushEvery:  10 * time.Second,
		StatusEvery: cfg.StatusEvery,
		Name:        host,
	}, subs, log)
	workerDone := make(chan error, 1)
	go func() { workerDone <- worker.Run(ctx, a.bounces) }()
	go a.stats.Run(ctx, time.Minute, 5*time.Minute)

	srv := &http.Server{Addr: cfg.Addr, Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		close(a.bounces)
	}()
	log.Info("listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-workerDone
}

type smtpMailer struct {
	addr, from string
}

func (m *smtpMailer) send(to, subject, body string) error {
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s", m.from, to, subject, body)
	return smtp.SendMail(m.addr, nil, m.from, []string{to}, []byte(msg))
}

func (m *smtpMailer) SendConfirmation(_ context.Context, to, link string) error {
	return m.send(to, "Please confirm your subscription", "Confirm your subscription: "+link)
}

func (m *smtpMailer) SendMagicLink(_ context.Context, to, link string) error {
	return m.send(to, "Your sign-in link", "Sign in to godwit (valid for 10 minutes): "+link)
}

func (m *smtpMailer) Send(_ context.Context, c campaigns.Campaign, to subscribers.Subscriber, unsubURL string) error {
	return m.send(to.Email, c.Subject, "\n\n--\nUnsubscribe: "+unsubURL)
}
