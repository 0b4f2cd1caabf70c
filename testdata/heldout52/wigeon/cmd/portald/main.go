// Command portald serves the customer portal and the merchant invoicing API
// from the billing database, with Workers KV (cloudflare-go v0) for invoice
// views, payment links, portal sessions and API quotas.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"wigeon/internal/billing"
	"wigeon/internal/config"
	"wigeon/internal/dunning"
	"wigeon/internal/invoices"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/metrics"
	"wigeon/internal/paylinks"
	"wigeon/internal/portal"
	"wigeon/internal/quota"
	"wigeon/internal/tenant"
)

type mailer struct{ endpoint string }

func (m mailer) Send(ctx context.Context, to, template string, data any) error {
	body, err := json.Marshal(map[string]any{"to": to, "template": template, "data": data})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err == nil && res.StatusCode >= 300 {
		err = errors.New("mailer: " + res.Status)
	}
	if res != nil {
		res.Body.Close()
	}
	return err
}

// withTenant resolves the tenant from the merchant subdomain
// (<tenant>.billing.example.com) or the API gateway header.
func withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Tenant")
		if id == "" {
			id, _, _ = strings.Cut(r.Host, ".")
		}
		next.ServeHTTP(w, r.WithContext(tenant.With(r.Context(), id)))
	})
}

func main() {
	fs := flag.NewFlagSet("portald", flag.ExitOnError)
	over := config.Flags(fs)
	dsn := fs.String("db", os.Getenv("BILLING_DSN"), "billing database DSN")
	mailURL := fs.String("mail", "http://mailer.internal/send", "mailer endpoint")
	_ = fs.Parse(os.Args[1:])
	cfg := config.Merge(config.DefaultConfig(), *over)

	api, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		slog.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	sqldb, err := sql.Open("pgx", *dsn)
	if err != nil {
		slog.Error("billing db", "err", err)
		os.Exit(1)
	}
	db := billing.Open(sqldb)
	rec := metrics.NewRecorder()
	portalKV := kvstore.New(api, cfg.AccountID, cfg.NS.Portal, rec)
	billingKV := kvstore.New(api, cfg.AccountID, cfg.NS.Billing, rec)
	quotaKV := kvstore.New(api, cfg.AccountID, cfg.NS.Quota, rec)

	inv := invoices.NewStore(billingKV, db, cfg.InvoiceCacheTTL)
	links := paylinks.NewStore(billingKV, cfg.PayLinkTTL, rec)
	sessions := portal.NewSessions(portalKV, cfg)
	profiles := &portal.Profiles{
		KV:       portalKV,
		DB:       db,
		Keys:     kvkeys.Keys{Env: cfg.Env},
		BrandTTL: time.Duration(cfg.BrandingTTLSeconds) * time.Second,
	}
	limiter := &quota.Limiter{KV: quotaKV, DB: db, Window: cfg.QuotaWindow}
	usage := &quota.Usage{KV: quotaKV}
	runner := &dunning.Runner{KV: billingKV, DB: db, Mail: mailer{endpoint: *mailURL}, Cfg: cfg}

	mux := http.NewServeMux()
	(&invoices.Handler{Store: inv, Meta: portalKV}).Register(mux)
	links.Register(mux)
	(&portal.Handler{Sessions: sessions, Profiles: profiles}).Register(mux)
	limiter.Register(mux)
	mux.HandleFunc("GET /healthz", health(portalKV))
	mux.HandleFunc("POST /internal/cron/dunning/{tenant}", func(w http.ResponseWriter, r *http.Request) {
		tid := r.PathValue("tenant")
		now := time.Now()
		err := runner.Run(r.Context(), tid, now)
		if ferr := runner.Finish(r.Context(), tid, 0, now); ferr != nil {
			err = errors.Join(err, ferr)
		}
		if err != nil {
			slog.ErrorContext(r.Context(), "dunning run", "tenant", tid, "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /internal/cron/usage", func(w http.ResponseWriter, r *http.Request) {
		if err := usage.Flush(r.Context(), time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/dunning", func(w http.ResponseWriter, r *http.Request) {
		states, next, err := runner.States(r.Context(), r.URL.Query().Get("cursor"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"states": states, "cursor": next})
	})
	mux.HandleFunc("GET /v1/dunning/pending", func(w http.ResponseWriter, r *http.Request) {
		ids, err := runner.Pending(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(ids)
	})

	srv := &http.Server{
		Addr:              cfg.Listen,
		Handler:           withTenant(limiter.Middleware(usage, mux)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	slog.Info("portald listening", "addr", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

// health checks that the portal namespace accepts writes.
func health(kv *kvstore.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if err := kv.Put(ctx, "healthz/probe", stamp); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}
}
