// Command reportsd generates and serves exported reports. It talks to
// Workers KV through cloudflare-go/v3.
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
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"wigeon/internal/billing"
	"wigeon/internal/config"
	"wigeon/internal/kv3"
	"wigeon/internal/kvstore"
	"wigeon/internal/metrics"
	"wigeon/internal/reports"
	"wigeon/internal/tenant"
)

type server struct {
	svc *reports.Service
	db  *billing.DB
}

func main() {
	fs := flag.NewFlagSet("reportsd", flag.ExitOnError)
	over := config.Flags(fs)
	dsn := fs.String("db", os.Getenv("BILLING_DSN"), "billing database DSN")
	_ = fs.Parse(os.Args[1:])
	cfg := config.Merge(config.DefaultConfig(), config.Config{Listen: ":8081"})
	cfg = config.Merge(cfg, *over)

	cf := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
	sqldb, err := sql.Open("pgx", *dsn)
	if err != nil {
		slog.Error("billing db", "err", err)
		os.Exit(1)
	}
	db := billing.Open(sqldb)
	rec := metrics.NewRecorder()
	s := &server{
		svc: &reports.Service{KV: kv3.New(cf, cfg.AccountID, cfg.NS.Reports, rec), DB: db, Cfg: cfg},
		db:  db,
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/exports/statements", s.createStatements)
	mux.HandleFunc("GET /v1/exports", s.listExports)
	mux.HandleFunc("GET /v1/exports/{id}", s.manifest)
	mux.HandleFunc("POST /v1/exports/{id}/download", s.download)
	mux.HandleFunc("GET /v1/reports/aging", s.aging)
	mux.HandleFunc("DELETE /internal/tenants/{tenant}/exports", s.purge)

	srv := &http.Server{Addr: cfg.Listen, Handler: tenantFromHeader(mux), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

func tenantFromHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(tenant.With(r.Context(), r.Header.Get("X-Tenant"))))
	})
}

func reply(w http.ResponseWriter, v any, err error) {
	var nf *kvstore.NotFoundError
	switch {
	case errors.As(err, &nf):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, tenant.ErrNoTenant):
		http.Error(w, "tenant required", http.StatusUnauthorized)
	case err != nil:
		slog.Error("reportsd", "err", err)
		http.Error(w, "internal", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func (s *server) createStatements(w http.ResponseWriter, r *http.Request) {
	tid, err := tenant.Require(r.Context())
	if err != nil {
		reply(w, nil, err)
		return
	}
	exp, err := s.svc.Statements(context.WithoutCancel(r.Context()), tid)
	if err == nil {
		if rerr := s.svc.RecordRowCount(r.Context(), exp); rerr != nil {
			slog.WarnContext(r.Context(), "row count", "err", rerr)
		}
	}
	reply(w, exp, err)
}

func (s *server) listExports(w http.ResponseWriter, r *http.Request) {
	tid, err := tenant.Require(r.Context())
	if err != nil {
		reply(w, nil, err)
		return
	}
	ids, next, err := s.svc.Page(r.Context(), tid, r.URL.Query().Get("cursor"))
	reply(w, struct {
		IDs    []string `json:"ids"`
		Cursor string   `json:"cursor,omitempty"`
	}{ids, next}, err)
}

func (s *server) manifest(w http.ResponseWriter, r *http.Request) {
	exp, err := s.svc.Manifest(r.Context(), tenant.From(r.Context()), r.PathValue("id"))
	reply(w, exp, err)
}

func (s *server) download(w http.ResponseWriter, r *http.Request) {
	tok, err := s.svc.Download(r.Context(), tenant.From(r.Context()), r.PathValue("id"))
	reply(w, map[string]string{"url": "/dl/" + tok}, err)
}

func (s *server) computeAging(tenantID string) func(context.Context, string) ([]byte, error) {
	return func(ctx context.Context, query string) ([]byte, error) {
		customers, err := s.db.Customers(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"query": query, "customers": len(customers), "at": time.Now().UTC()})
	}
}

func (s *server) aging(w http.ResponseWriter, r *http.Request) {
	tid := tenant.From(r.Context())
	raw, err := s.svc.Aging(r.Context(), tid, s.computeAging(tid))
	if err != nil {
		reply(w, nil, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

func (s *server) purge(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.PurgeTenant(r.Context(), r.PathValue("tenant"))
	reply(w, map[string]int{"deleted": n}, err)
}
