// Command backend is the API server and job runner of the newsletter
// platform. It talks to Workers KV through the Cloudflare REST API.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/larkspur/internal/backend/bounces"
	"example.com/larkspur/internal/backend/campaigns"
	"example.com/larkspur/internal/backend/cfkv"
	"example.com/larkspur/internal/backend/editors"
	"example.com/larkspur/internal/backend/exports"
	"example.com/larkspur/internal/backend/jobs"
	"example.com/larkspur/internal/backend/quota"
	"example.com/larkspur/internal/config"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/tokens"
)

func main() {
	cfg, err := config.LoadBackend(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api := cloudflare.NewClient(option.WithMaxRetries(3), option.WithRequestTimeout(20*time.Second))
	primaryTarget := cfkv.Target{AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID}
	primary := cfkv.New(api, primaryTarget)
	auditKV := cfkv.New(api, cfkv.Target{AccountID: cfg.AccountID, NamespaceID: cfg.AuditNamespaceID})
	ks := keys.New(cfg.KeyPrefix)
	dir := newDirectory(os.Getenv("DIRECTORY_URL"), os.Getenv("DIRECTORY_TOKEN"))

	quotas := quota.New(primary, ks, dir, 600)
	audit := campaigns.NewAudit(primary, auditKV, ks)
	camps := campaigns.New(primary, ks, audit, dir, quotas, cfg.LockSeconds)
	campHandler := campaigns.NewHandler(camps)
	campHandler.SetRecipients(dir)
	exporter := exports.New(primary, ks, cfg.ExportPageSize)
	accounts := editors.New(primary, ks, dir)
	maint := jobs.NewMaintenance(primary, ks, dir, kvstore.WithLimit(2000)) // EXPECT kvlimits
	webhook := bounces.NewWebhook(api, primaryTarget, ks, cfg.WebhookSecret)

	auth := httpx.RequireToken(os.Getenv("ADMIN_TOKEN"))
	acctHandler := auth(editors.NewHandler(accounts))

	rt := httpx.NewRouter()
	rt.Use(httpx.Recover(httpx.LogPanics))
	rt.Handle(http.MethodPost, "/webhooks/bounces/*", webhook)
	rt.Handle(http.MethodPost, "/internal/dispatch", auth(campHandler))
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost} {
		rt.Handle(m, "/campaigns/*", auth(campHandler))
	}
	rt.Handle(http.MethodPost, "/lists/*", auth(httpx.E(func(w http.ResponseWriter, r *http.Request) error {
		m, err := exporter.Run(r.Context(), tokens.NewID(), strings.TrimSuffix(httpx.Tail(r, "/lists/"), "/exports"))
		if err == nil {
			httpx.JSON(w, http.StatusCreated, m)
		}
		return err
	})))
	rt.Handle(http.MethodGet, "/quota/*", auth(httpx.E(func(w http.ResponseWriter, r *http.Request) error {
		left, p, err := quotas.Remaining(r.Context(), httpx.Tail(r, "/quota/"))
		if err == nil {
			httpx.JSON(w, http.StatusOK, map[string]any{"plan": p.String(), "window": p.Window().String(), "remaining": left})
		}
		return err
	})))
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		rt.Handle(m, "/senders/keys", acctHandler)
	}
	rt.Handle(http.MethodPost, "/editors/password", acctHandler)
	rt.Handle(http.MethodPost, "/admin/blocklist", auth(httpx.E(func(w http.ResponseWriter, r *http.Request) error {
		n, err := maint.ImportBlocklist(r.Context(), r.Body)
		if err == nil {
			httpx.JSON(w, http.StatusOK, map[string]int{"imported": n})
		}
		return err
	})))
	rt.Handle(http.MethodPost, "/admin/routes", auth(httpx.E(func(w http.ResponseWriter, r *http.Request) error {
		return maint.SeedRoutes(r.Context())
	})))

	sweep := time.Duration(cfg.SweepSeconds) * time.Second
	runner := jobs.NewRunner()
	for _, j := range []struct {
		name  string
		every time.Duration
		run   func(context.Context) error
	}{
		{"pending-report", sweep, maint.PendingReport},
		{"purge-exports", sweep, maint.PurgeExports},
		{"suppression-digest", 6 * time.Hour, maint.SuppressionDigest},
	} {
		runner.Add(jobs.Job{Name: j.name, Every: j.every, Run: j.run})
	}
	runner.Start(ctx)

	srv := &http.Server{Addr: cfg.Addr, Handler: rt, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Printf("backend: shutdown: %v", err)
		}
	}()
	log.Printf("backend: listening on %s", cfg.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	if err := runner.Stop(30 * time.Second); err != nil {
		log.Printf("backend: %v", err)
	}
}
