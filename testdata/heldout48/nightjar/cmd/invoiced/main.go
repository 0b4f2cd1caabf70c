// Command invoiced serves the invoicing API, the payment-provider webhooks
// and the customer portal.
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

	"github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/nightjar/internal/billingdb"
	"github.com/ledgerline/nightjar/internal/invoices"
	"github.com/ledgerline/nightjar/internal/kvstore"
	"github.com/ledgerline/nightjar/internal/portal"
	"github.com/ledgerline/nightjar/internal/reports"
	"github.com/ledgerline/nightjar/internal/tiercache"
	"github.com/ledgerline/nightjar/internal/webhooks"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	flushEvery := flag.Duration("flush", 5*time.Second, "write-behind flush interval")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	db, err := sql.Open(os.Getenv("DB_DRIVER"), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Error("database", "err", err)
		os.Exit(1)
	}
	kv := kvstore.NewLogged(kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID")), log)
	wb := tiercache.NewWriteBehind(kv, *flushEvery, log)
	wb.Start()

	inv := invoices.NewService(kv, tiercache.New(kv, 15*time.Second, 10*time.Minute), billingdb.New(db), log)
	hooks := webhooks.NewHandler(kv, wb, map[string][]byte{
		"stripe": []byte(os.Getenv("STRIPE_WEBHOOK_SECRET")),
		"adyen":  []byte(os.Getenv("ADYEN_WEBHOOK_SECRET")),
	}, log)
	prt := portal.New(kv, wb, log)
	exp := reports.NewExporter(kv, log)

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/{provider}", hooks)
	mux.HandleFunc("POST /v1/tenants/{tenant}/invoices", func(w http.ResponseWriter, r *http.Request) {
		var d invoices.Draft
		if err := json.NewDecoder(r.Body).Decode(&d); err != nil {
			http.Error(w, "bad draft", http.StatusBadRequest)
			return
		}
		out, err := inv.Issue(r.Context(), r.PathValue("tenant"), d, r.Header.Get("Idempotency-Key"))
		if errors.Is(err, invoices.ErrDuplicateRequest) {
			http.Error(w, "duplicate request", http.StatusConflict)
			return
		}
		writeJSON(w, out, err)
	})
	mux.HandleFunc("GET /portal/login/{token}", func(w http.ResponseWriter, r *http.Request) {
		s, err := prt.RedeemMagicLink(r.Context(), r.PathValue("token"))
		if err != nil {
			http.Error(w, "link expired", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "nj_portal", Value: s.ID, Path: "/portal", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/portal/invoices", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /admin/exports/{tenant}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		if _, err := exp.ExportTenant(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("id"), w); err != nil {
			log.ErrorContext(r.Context(), "export failed", "err", err)
		}
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		err := kv.Put(ctx, "health:invoiced:probe", []byte(time.Now().UTC().Format(time.RFC3339)), 0) // EXPECT kvhotkey
		writeJSON(w, map[string]bool{"kv": err == nil}, err)
	})

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		if err := wb.Stop(shutdown); err != nil {
			log.Error("final flush", "err", err)
		}
	}()
	log.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func writeJSON(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
