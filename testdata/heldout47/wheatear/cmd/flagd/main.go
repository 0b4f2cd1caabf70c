// Command flagd serves the flag API, the dashboard's auth endpoints and the
// SDK ingest endpoint.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/wheatear/flagsvc/internal/audit"
	"github.com/wheatear/flagsvc/internal/auth"
	"github.com/wheatear/flagsvc/internal/evalcount"
	"github.com/wheatear/flagsvc/internal/flags"
	"github.com/wheatear/flagsvc/internal/kvrest"
	"github.com/wheatear/flagsvc/internal/kvstore"
	"github.com/wheatear/flagsvc/internal/sdkkeys"
)

type server struct {
	auth    *auth.Service
	keys    *sdkkeys.Manager
	counter *evalcount.Counter
	audit   *audit.Recorder
	log     *slog.Logger
	perMin  int
}

var authRoutes = map[string]func(*server, http.ResponseWriter, *http.Request){
	"POST /auth/logout":   logout,
	"POST /v1/sdk/events": ingest,
}

func logout(s *server, w http.ResponseWriter, r *http.Request) {
	if err := s.auth.Logout(w, r); err != nil {
		s.log.Warn("logout", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

// ingest accepts a batch of evaluation events from a server-side SDK.
func ingest(s *server, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rec, err := s.keys.Validate(ctx, r.Header.Get("X-SDK-Key"), sdkkeys.ScopeServerSide)
	var revoked *sdkkeys.RevokedError
	switch {
	case errors.As(err, &revoked):
		http.Error(w, revoked.Error(), http.StatusForbidden)
		return
	case err != nil:
		http.Error(w, "unknown key", http.StatusUnauthorized)
		return
	}
	if err := s.counter.Allow(ctx, rec.ID, s.perMin); errors.Is(err, evalcount.ErrBudgetExceeded) {
		s.counter.Cooldown(ctx, rec.ID, time.Minute)
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	} else if err != nil {
		s.log.Warn("budget check failed", "err", err)
	}
	var batch []evalcount.Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&batch); err != nil {
		http.Error(w, "bad batch", http.StatusBadRequest)
		return
	}
	if err := s.counter.Flush(ctx, batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	flagsKV := kvstore.New(api, account, os.Getenv("FLAGS_KV_NAMESPACE"))
	authKV := kvstore.New(api, account, os.Getenv("AUTH_KV_NAMESPACE"))
	auditKV := kvstore.New(api, account, os.Getenv("AUDIT_KV_NAMESPACE"))
	rest := &kvrest.Client{
		HTTP:      &http.Client{Timeout: 30 * time.Second},
		Token:     os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID: account,
		Namespace: os.Getenv("COUNTERS_KV_NAMESPACE"),
	}
	perMin, _ := strconv.Atoi(os.Getenv("SDK_REQUESTS_PER_MINUTE"))
	if perMin <= 0 {
		perMin = 600
	}

	rec := audit.NewRecorder(auditKV)
	origin := &flags.Origin{Base: os.Getenv("CONTROL_PLANE_URL"), HTTP: &http.Client{Timeout: 10 * time.Second}}
	s := &server{
		auth:    auth.NewService(authKV),
		keys:    sdkkeys.NewManager(authKV),
		counter: evalcount.New(rest, log),
		audit:   rec,
		log:     log,
		perMin:  perMin,
	}

	mux := http.NewServeMux()
	mux.Handle("/v1/envs/", flags.NewAPI(flagsKV, origin, rec, log).Handler())
	mux.Handle("/v1/sdk/evaluate", flags.NewAPI(flagsKV, origin, rec, log).Handler())
	for pattern, h := range authRoutes {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { h(s, w, r) })
	}

	srv := &http.Server{Addr: ":" + envOr("PORT", "8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
