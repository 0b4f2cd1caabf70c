// Command worker is the shortlinks Worker: HTTP, queue consumer and cron in
// one script.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/admin"
	"example.com/shortlinks/internal/analytics"
	"example.com/shortlinks/internal/auth"
	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/consumer"
	"example.com/shortlinks/internal/flags"
	"example.com/shortlinks/internal/importer"
	"example.com/shortlinks/internal/jobs"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/qr"
	"example.com/shortlinks/internal/ratelimit"
	"example.com/shortlinks/internal/store"
	"example.com/shortlinks/internal/store/kvstore"
	"example.com/shortlinks/internal/store/storemw"
	"example.com/shortlinks/internal/web"
)

type application struct {
	http     http.Handler
	consumer *consumer.Consumer
	cron     *jobs.Runner
}

// wire builds the object graph. Bindings only exist inside an invocation, so
// it runs lazily on the first request, batch or scheduled event.
func wire() (*application, error) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.Load(cloudflare.Getenv)
	if err != nil {
		return nil, err
	}

	linksKV, err := kvstore.Open("LINKS", kvstore.WithCacheTTL(cfg.Redirect.EdgeCacheTTL))
	if err != nil {
		return nil, err
	}
	authKV, err := kvstore.Open("AUTH")
	if err != nil {
		return nil, err
	}
	statsKV, err := kvstore.Open("STATS")
	if err != nil {
		return nil, err
	}
	configKV, err := kvstore.Open("CONFIG")
	if err != nil {
		return nil, err
	}

	metrics := storemw.NewMetrics(linksKV)
	var linkStore store.Store = storemw.Logging(metrics, log, 250*time.Millisecond)
	redirects := storemw.NewCached(linkStore, 4096, 30*time.Second)
	authStore := storemw.Logging(authKV, log, 250*time.Millisecond)

	client := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
	accts := accounts.NewService(authStore)
	authSvc := auth.NewService(cfg.Auth, cfg.Redirect.PublicHost, authStore, accts,
		&mailer{client: client, from: cfg.Auth.MailFrom, apiKey: cloudflare.Getenv("MAIL_API_KEY")})
	linkSvc := links.NewService(linkStore, redirects, cfg.Redirect)
	producer, err := queues.NewProducer("CLICKS")
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	imp := importer.New(linkStore, cfg.Import)
	admin.New(cfg.Admin, linksKV.Namespace(), linkStore, linkSvc, accts, imp).Mount(mux)
	mux.Handle("/", web.New(web.Deps{
		Links:     linkSvc,
		Auth:      authSvc,
		Accounts:  accts,
		Store:     linkStore,
		NS:        linksKV.Namespace(),
		Recorder:  analytics.NewRecorder(statsKV.Namespace()),
		Quota:     analytics.NewQuota(statsKV.Namespace(), 10_000),
		QR:        qr.New(linksKV.Namespace(), &qrRenderer{client: client, base: cloudflare.Getenv("QR_RENDERER")}, cfg.QR, cfg.Redirect.PublicHost),
		Flags:     flags.New(flags.NewKVSource(configKV.Namespace()), map[string]bool{"previews": true}),
		Limiter:   ratelimit.New(statsKV, cfg.RateLimit),
		Gate:      web.NewSessionGate(authKV.Namespace(), cfg.Auth.CookieName, cfg.Auth.SessionTTL),
		Enqueue:   func(ev analytics.ClickEvent) error { return producer.SendJSON(ev) },
		WaitUntil: cloudflare.WaitUntil,
		Log:       log,
		Cookie:    cfg.Auth.CookieName,
	}))

	return &application{
		http:     mux,
		consumer: consumer.New(statsKV.Namespace(), statsKV, log),
		cron: jobs.New(linksKV.Namespace(), metrics, client,
			cloudflare.Getenv("CF_ACCOUNT_ID"), cloudflare.Getenv("AE_API_TOKEN"), cfg.Admin, log),
	}, nil
}

func main() {
	var (
		once    sync.Once
		app     *application
		wireErr error
	)
	boot := func() (*application, error) {
		once.Do(func() { app, wireErr = wire() })
		return app, wireErr
	}

	queues.ConsumeNonBlock(func(batch *queues.MessageBatch) error {
		a, err := boot()
		if err != nil {
			return err
		}
		return a.consumer.Handle(batch)
	})
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		a, err := boot()
		if err != nil {
			return err
		}
		return a.cron.Run(ctx)
	})
	workers.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := boot()
		if err != nil {
			http.Error(w, "misconfigured: "+err.Error(), http.StatusInternalServerError)
			return
		}
		a.http.ServeHTTP(w, r)
	}))
}
