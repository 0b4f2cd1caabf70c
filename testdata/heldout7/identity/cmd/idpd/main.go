// Command idpd is the origin server of the identity provider.
package main

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/identity/internal/accounts"
	"example.com/identity/internal/apikeys"
	"example.com/identity/internal/audit"
	"example.com/identity/internal/clients"
	"example.com/identity/internal/config"
	"example.com/identity/internal/emailverify"
	"example.com/identity/internal/httpapi"
	"example.com/identity/internal/jwks"
	"example.com/identity/internal/loginlimit"
	"example.com/identity/internal/oauth"
	"example.com/identity/internal/primary"
	"example.com/identity/internal/session"
	"example.com/identity/internal/store"
	"example.com/identity/internal/store/kvsdk"
	"example.com/identity/internal/store/storemw"
	"example.com/identity/internal/tokens"
	"example.com/identity/internal/webauthn"
)

type logMailer struct{ log *slog.Logger }

func (m logMailer) SendCode(_ context.Context, to, _ string) error {
	m.log.Info("verification code queued", "to", to)
	return nil
}

// every runs fn every d until ctx is done.
func every(ctx context.Context, d time.Duration, name string, log *slog.Logger, fn func(context.Context) error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				log.Error("cron failed", "job", name, "err", err)
			}
		}
	}
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg := config.FromEnv()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	sqlDB, err := sql.Open(cfg.DBDriver, cfg.DSN)
	if err != nil {
		log.Error("open database", "err", err)
		os.Exit(1)
	}
	db := primary.DB{DB: sqlDB}

	ns := kvsdk.Namespace{
		Client:    kvsdk.NewClient(cfg.APIToken, &http.Client{Timeout: 10 * time.Second}),
		AccountID: cfg.AccountID,
		ID:        cfg.NamespaceID,
	}
	metrics := storemw.WithMetrics(kvsdk.New(ns))
	var st store.Store = storemw.Logging(metrics, log)
	// Client metadata is read on every /authorize; keep a few seconds locally.
	clientStore := storemw.NewReadCache(st, 30*time.Second)

	publisher := jwks.NewPublisher(st, db, jwks.WithPerKidEntries())
	deps := &httpapi.Deps{
		Sessions: session.NewManager(st,
			session.WithLifetime(cfg.SessionLifetime),
			session.WithIdleTimeout(30*time.Minute),
		),
		Codes:    oauth.NewCodes(st),
		Upstream: oauth.NewUpstream(ns, cfg.Issuer+"/callback", map[string]string{"google": "https://accounts.google.com/o/oauth2/v2/auth"}, map[string]string{"google": os.Getenv("GOOGLE_CLIENT_ID")}),
		Consents: oauth.NewConsents(ns),
		Tokens:   tokens.New(st, db, cfg.RefreshLifetime, log),
		Clients:  clients.NewRegistry(clientStore, db),
		Accounts: accounts.New(st),
		Limiter: loginlimit.New(st, db,
			loginlimit.Window(15*time.Minute),
			loginlimit.MaxPerIP(20),
		),
		TokenLimiter: loginlimit.NewTokenLimiter(ns, 30),
		APIKeys:      apikeys.New(st),
		WebAuthn: webauthn.NewService(st, webauthn.Config{
			RPID:         cfg.RPID,
			RPOrigin:     cfg.Issuer,
			ChallengeTTL: 45 * time.Second, // EXPECT kvttl
		}),
		Verify:    emailverify.New(ns, st, logMailer{log}, db),
		Passwords: db,
		NS:        ns,
		Log:       log,
	}
	deps.Load = st.Get
	deps.Save = st.Put

	job := audit.New(st, ns, log, cfg.AuditPageBudget)
	go every(ctx, 6*time.Hour, "jwks", log, publisher.Publish)
	go every(ctx, time.Minute, "metrics", log, metrics.Flush)
	go every(ctx, 24*time.Hour, "audit", log, func(ctx context.Context) error {
		counts, err := job.CountPrefixes(ctx, []string{"sess:", "apikey:", "client:", "consent:"})
		if err != nil {
			return err
		}
		expiring, err := job.ExpiringSessions(ctx)
		if err != nil {
			return err
		}
		orphans, err := job.OrphanedAPIKeys(ctx)
		log.Info("audit", "per_prefix", counts, "expiring", expiring, "orphaned", len(orphans))
		return err
	})

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           httpapi.Mux(deps, httpapi.Recover(deps), httpapi.Sessions(deps), httpapi.APIQuota(deps, cfg.MonthlyQuota)),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := publisher.Publish(ctx); err != nil {
		log.Warn("initial jwks publish", "err", err)
	}
	log.Info("listening", "addr", cfg.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
