// Command apiserver serves the dunlin public API: the Connect services for
// API keys and tokens, the deploy API, and the live-log WebSocket.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/apikeys"
	"github.com/dunlin-dev/dunlin/internal/gen/deployapi"
	"github.com/dunlin-dev/dunlin/internal/gen/dunlinv1/dunlinv1connect"
	"github.com/dunlin-dev/dunlin/internal/kvstore"
	"github.com/dunlin-dev/dunlin/internal/livelog"
	"github.com/dunlin-dev/dunlin/internal/previews"
	"github.com/dunlin-dev/dunlin/internal/tokens"
)

// jsonCodec lets the Connect handlers speak JSON with plain-struct
// messages.
type jsonCodec struct{}

func (jsonCodec) Name() string                    { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (jsonCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

var monthlyCalls = map[string]int64{
	"free":       10_000,
	"team":       1_000_000,
	"enterprise": 50_000_000,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		slog.Error("startup", "err", err)
		os.Exit(1)
	}
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	open := func(env, title string) *kvstore.Namespace {
		return kvstore.Open(api, account, os.Getenv(env), title)
	}
	keys := open("KV_KEYS_ID", "keys")
	usage := open("KV_USAGE_ID", "usage")
	tenants := open("KV_TENANTS_ID", "tenants")
	tokenNS := open("KV_TOKENS_ID", "tokens")
	previewNS := open("KV_PREVIEWS_ID", "previews")
	artefactNS := open("KV_ARTEFACTS_ID", "artefacts")
	liveNS := open("KV_LIVE_ID", "live")

	artefactTTL, err := time.ParseDuration(cmp.Or(os.Getenv("DUNLIN_ARTEFACT_TTL"), "720h"))
	if err != nil {
		slog.Error("DUNLIN_ARTEFACT_TTL", "err", err)
		os.Exit(1)
	}

	mux := http.NewServeMux()
	mux.Handle(dunlinv1connect.NewAPIKeyServiceHandler(
		apikeys.NewServer(keys),
		connect.WithCodec(jsonCodec{}),
		connect.WithInterceptors(
			apikeys.Authenticate(keys, tenants),
			apikeys.EnforceQuota(usage, monthlyCalls),
			apikeys.Idempotency(keys),
		),
	))
	mux.Handle(dunlinv1connect.NewTokenServiceHandler(
		tokens.NewService(tokenNS, "https://dunlin.dev/device"),
		connect.WithCodec(jsonCodec{}),
	))

	deploy := deployapi.NewStrictHandlerWithOptions(
		previews.NewServer(previewNS, artefactNS, "preview.dunlin.dev", artefactTTL),
		deployapi.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				http.Error(w, err.Error(), http.StatusBadRequest)
			},
			ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				slog.ErrorContext(r.Context(), "deploy api", "path", r.URL.Path, "err", err)
				http.Error(w, "internal error", http.StatusInternalServerError)
			},
		},
	)
	deployapi.HandlerWithOptions(deploy, deployapi.StdHTTPServerOptions{BaseURL: "/deploy/v1", BaseRouter: mux})
	mux.Handle("GET /v1/live", livelog.NewHub(liveNS, tokenNS, []string{"dashboard.dunlin.dev"}))

	srv := &http.Server{
		Addr:              cmp.Or(os.Getenv("ADDR"), ":8080"),
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("listen", "err", err)
			stop()
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
}
