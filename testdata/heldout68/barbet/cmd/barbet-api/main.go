// Command barbet-api runs the upload and API server.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"
	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/barbet-video/barbet/internal/abuse"
	"github.com/barbet-video/barbet/internal/httpapi"
	"github.com/barbet-video/barbet/internal/kvstore"
	"github.com/barbet-video/barbet/internal/links"
	"github.com/barbet-video/barbet/internal/policy"
	"github.com/barbet-video/barbet/internal/sessions"
	"github.com/barbet-video/barbet/internal/transcode"
	"github.com/barbet-video/barbet/internal/uploads"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func mustEnv(log *slog.Logger, name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Error("missing setting", "name", name)
		os.Exit(2)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	accountID := mustEnv(log, "CF_ACCOUNT_ID")
	api := cloudflare.NewClient(
		option.WithAPIToken(mustEnv(log, "CF_API_TOKEN")),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(10*time.Second),
	)
	ticketsNS := kvstore.Open(api, accountID, mustEnv(log, "KV_TICKETS"))
	accountsNS := kvstore.Open(api, accountID, mustEnv(log, "KV_ACCOUNTS"))
	edgeNS := kvstore.Open(api, accountID, mustEnv(log, "KV_EDGE"))
	sessionNS := kvstore.Open(api, accountID, mustEnv(log, "KV_SESSIONS"))

	engine, err := policy.Compile(policy.Sources{
		Quota:    env("BARBET_POLICY_QUOTA", policy.DefaultQuotaExpr),
		Lifetime: env("BARBET_POLICY_LIFETIME", policy.DefaultLifetimeExpr),
		Block:    env("BARBET_POLICY_BLOCK", policy.DefaultBlockExpr),
		BlockFor: env("BARBET_POLICY_BLOCK_FOR", policy.DefaultBlockForExpr),
	})
	if err != nil {
		log.Error("policy does not compile", "err", err)
		os.Exit(2)
	}
	if err := engine.Publish(ctx, edgeNS); err != nil {
		log.Warn("policy verdicts not published", "err", err)
	}

	hooks := &uploads.Hooks{
		Tickets:  ticketsNS,
		Accounts: accountsNS,
		Policy:   engine,
		Log:      log.With("component", "uploads"),
		Instance: env("HOSTNAME", "barbet-api"),
	}

	dir := env("BARBET_UPLOAD_DIR", "/var/lib/barbet/uploads")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		log.Error("upload dir", "err", err)
		os.Exit(1)
	}
	composer := handler.NewStoreComposer()
	filestore.New(dir).UseIn(composer)
	filelocker.New(dir).UseIn(composer)

	maxMB, _ := strconv.ParseInt(env("BARBET_MAX_UPLOAD_MB", "20480"), 10, 64)
	tus, err := handler.NewHandler(handler.Config{
		BasePath:                  "/files/",
		StoreComposer:             composer,
		MaxSize:                   maxMB << 20,
		NotifyCompleteUploads:     true,
		NotifyCreatedUploads:      true,
		RespectForwardedHeaders:   true,
		PreUploadCreateCallback:   hooks.PreCreate,
		PreFinishResponseCallback: hooks.PreFinish,
	})
	if err != nil {
		log.Error("tusd", "err", err)
		os.Exit(1)
	}
	hooks.Consume(ctx, tus.CreatedUploads, tus.CompleteUploads)

	window, err := time.ParseDuration(env("BARBET_ABUSE_WINDOW", "10m"))
	if err != nil {
		window = 10 * time.Minute
	}
	ttl, err := time.ParseDuration(env("BARBET_SESSION_TTL", "12h"))
	if err != nil {
		ttl = 12 * time.Hour
	}

	srv := httpapi.New(httpapi.Config{
		Addr:    env("BARBET_ADDR", ":8080"),
		Tus:     tus,
		Tickets: ticketsNS,
		Links: &links.Issuer{
			NS: edgeNS, Policy: engine, Log: log.With("component", "links"),
			Secret:  []byte(mustEnv(log, "BARBET_LINK_SECRET")),
			BaseURL: env("BARBET_DOWNLOAD_BASE", "https://dl.barbet.video"),
		},
		Sessions: &sessions.Store{
			NS: sessionNS, Log: log.With("component", "sessions"), TTL: ttl, Cookie: "barbet_session",
			Verifier: func(ctx context.Context, email, password string) (string, error) {
				return "", errors.New("password sign-in is handled by the identity service")
			},
			Exchange: func(ctx context.Context, code string) (string, string, error) {
				return "", "", errors.New("partner sign-in not configured")
			},
			Mailer: func(ctx context.Context, to, subject, body string) error {
				log.Info("mail", "to", to, "subject", subject)
				return nil
			},
		},
		Transcode: &transcode.Service{NS: ticketsNS, Log: log.With("component", "transcode")},
		Abuse:     &abuse.Desk{NS: edgeNS, Policy: engine, Log: log.With("component", "abuse"), Window: window},
		Log:       log,

		API:         api,
		AccountID:   accountID,
		ConfigNSID:  mustEnv(log, "KV_CONFIG"),
		MaxTicketMB: maxMB,
	})

	go func() {
		log.Info("listening", "addr", srv.Addr)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server", "err", err)
			stop()
		}
	}()

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
	}
}
