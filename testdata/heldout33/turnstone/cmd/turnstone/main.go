// Command turnstone runs the invoicing and payment-links backend: the
// public fallback endpoints, the customer portal API, the payment processor
// webhook, and the background publishers that keep the edge Worker's KV
// namespaces current.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/dunning"
	"github.com/ledgerline/turnstone/internal/edgeconfig"
	"github.com/ledgerline/turnstone/internal/exports"
	"github.com/ledgerline/turnstone/internal/invoices"
	"github.com/ledgerline/turnstone/internal/kvstore"
	"github.com/ledgerline/turnstone/internal/paylinks"
	"github.com/ledgerline/turnstone/internal/portal"
	"github.com/ledgerline/turnstone/internal/webhooks"
)

func main() {
	configPath := flag.String("config", os.Getenv("TURNSTONE_CONFIG"), "path to the JSON configuration file")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*configPath, log); err != nil {
		log.Error("turnstone exited", "err", err)
		os.Exit(1)
	}
}

func run(configPath string, log *slog.Logger) error {
	cfg, err := config.Load(configPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open(cfg.Database.Driver, cfg.Database.DSN)
	if err != nil {
		return err
	}
	defer db.Close()

	api, err := cf.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		return err
	}
	client := cfv6.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(2))
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces
	invoicesNS := kvstore.NewNamespace(api, acct, ns.Invoices)
	mail := &logMailer{log: log}

	linksKV := kvstore.Audited(kvstore.Retrying(kvstore.NewNamespace(api, acct, ns.Links), 3, time.Second), log)
	links := paylinks.New(linksKV, db, cfg, log)
	pub := invoices.NewPublisher(invoicesNS, db, cfg, log)
	dun := dunning.New(invoicesNS, db, mail, cfg, log)
	hooks := webhooks.New(kvstore.NewNamespace(api, acct, ns.Webhooks), cfg, log)
	edge := edgeconfig.New(kvstore.NewNamespace(api, acct, ns.Edge), db, cfg, log)
	port := portal.New(client, cfg, db, mail, log)
	exp := exports.New(client, &fsUploader{dir: os.Getenv("TURNSTONE_EXPORT_DIR")}, cfg, log)

	if err := links.SeedReturnAllowList(ctx); err != nil {
		log.Warn("seed return allow-list", "err", err)
	}

	mux := http.NewServeMux()
	links.Routes(mux)
	mux.HandleFunc("POST /hooks/psp", pub.HandlePaymentEvent)
	mux.HandleFunc("GET /portal/me", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("ts_portal")
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		sess, err := port.Authenticate(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		notice, _ := port.Notice(r.Context(), sess.TenantID)
		_ = json.NewEncoder(w).Encode(map[string]any{"session": sess, "notice": notice})
	})
	mux.HandleFunc("GET /exports/download/{token}", func(w http.ResponseWriter, r *http.Request) {
		man, err := exp.Download(r.Context(), r.PathValue("token"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, man.URL, http.StatusFound)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := dun.HasDue(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	var wg sync.WaitGroup
	for name, fn := range map[string]func(context.Context) error{
		"invoice-status": pub.Run,
		"edge-config":    edge.Run,
		"link-views":     func(ctx context.Context) error { links.RunBackground(ctx); return nil },
		"dunning":        func(ctx context.Context) error { dun.Run(ctx); return nil },
		"webhook-states": func(ctx context.Context) error { hooks.RunFlusher(ctx); return nil },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("background task stopped", "task", name, "err", err)
			}
		}()
	}

	srv := &http.Server{Addr: cfg.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	wg.Wait()
	return nil
}
