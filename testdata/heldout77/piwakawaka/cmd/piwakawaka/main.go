// Command piwakawaka is the CI/CD backend: GitHub App webhooks, the runner
// and queue streams, admission webhooks, deploys and the dashboard.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/kereru-ci/piwakawaka/internal/admission"
	"github.com/kereru-ci/piwakawaka/internal/artifacts"
	"github.com/kereru-ci/piwakawaka/internal/dashboard"
	"github.com/kereru-ci/piwakawaka/internal/deploy"
	"github.com/kereru-ci/piwakawaka/internal/ghapp"
	"github.com/kereru-ci/piwakawaka/internal/kvstore"
	"github.com/kereru-ci/piwakawaka/internal/proto"
	"github.com/kereru-ci/piwakawaka/internal/queue"
	"github.com/kereru-ci/piwakawaka/internal/runner"
)

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "piwakawaka: %s is not set\n", name)
		os.Exit(2)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	token, account := env("CF_API_TOKEN"), env("CF_ACCOUNT_ID")

	mainKV := kvstore.New(token, account, env("KV_MAIN"))
	logsKV := kvstore.New(token, account, env("KV_LOGS"))
	sessionsKV := kvstore.New(token, account, env("KV_SESSIONS"))
	historyKV := kvstore.New(token, account, env("KV_HISTORY"))

	q := &queue.Queue{KV: mainKV}
	broker := &ghapp.BrokerMinter{URL: env("TOKEN_BROKER_URL"), HTTP: &http.Client{Timeout: 10 * time.Second}}
	tokens := &ghapp.TokenCache{KV: mainKV, Mint: broker}
	hook := &ghapp.Webhook{Secret: []byte(env("GITHUB_WEBHOOK_SECRET")), KV: mainKV, Queue: q, Tokens: tokens, Log: log, DefaultPool: "linux-amd64"}
	adm := &admission.Webhooks{KV: mainKV, Log: log}
	dep := &deploy.Service{KV: mainKV, History: historyKV, Log: log, BaseURL: env("PUBLIC_URL")}
	dash := &dashboard.Dashboard{Sessions: sessionsKV, ClientID: env("GITHUB_CLIENT_ID"), Redirect: env("PUBLIC_URL") + "/login/callback", Exchange: broker.Exchange}
	idx := &artifacts.Index{API: cloudflare.NewClient(option.WithAPIToken(token)), AccountID: account, NamespaceID: env("KV_ARTIFACTS"), Log: log}

	mux := http.NewServeMux()
	mux.Handle("POST /github/webhook", hook)
	proto.Register(mux, &runner.Logs{Segments: logsKV, Builds: mainKV}, &runner.Coordinator{KV: mainKV, Log: log}, &runner.QueueView{KV: mainKV})
	mux.HandleFunc("POST /admission/validate", adm.Validate)
	mux.HandleFunc("POST /admission/mutate", adm.Mutate)
	mux.HandleFunc("GET /admission/policies", adm.Policies)
	mux.HandleFunc("POST /admission/exemptions/{namespace}/{name}", adm.GrantExemption)
	mux.HandleFunc("POST /deploys/{id}/approval-links", dep.CreateApprovalLink)
	mux.HandleFunc("GET /approve/{token}", dep.Approve)
	mux.HandleFunc("PUT /deploys/{id}/manifests", dep.UploadManifests)
	mux.HandleFunc("GET /deploys/{id}/events", dep.Events)
	mux.HandleFunc("POST /environments/{env}/lock", dep.Lock)
	mux.HandleFunc("POST /environments/{env}/freeze", dep.Freeze)
	mux.HandleFunc("GET /login", dash.Login)
	mux.HandleFunc("GET /login/callback", dash.Callback)
	mux.HandleFunc("POST /logout", dash.Logout)
	mux.HandleFunc("GET /settings", dash.SettingsForm)
	mux.HandleFunc("POST /settings", dash.SaveSettings)
	mux.Handle("/cache/", artifacts.Handler(idx))

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
