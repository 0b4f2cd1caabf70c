// Command edgeconf-api is the control-plane API: tenant signup, feature flag
// management, API keys, custom hostnames and quota enforcement.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/edgeconf/internal/apikeys"
	"example.com/edgeconf/internal/hostnames"
	"example.com/edgeconf/internal/quota"
	"example.com/edgeconf/internal/rollout"
	"example.com/edgeconf/internal/storage"
	"example.com/edgeconf/internal/storage/cfkv"
	"example.com/edgeconf/internal/tenant"
)

type config struct {
	Addr                 string
	APIToken             string
	AccountID            string
	NamespaceID          string
	HostnamesNamespaceID string
	D1DatabaseID         string
	StoreKind            string
	LimiterKind          string
	DOEndpoint           string
	OriginServiceURL     string
	RateLimit            int
	RateWindow           time.Duration
	SnapshotTTL          time.Duration
	FailOpen             bool
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	v, err := strconv.Atoi(env(name, ""))
	if err != nil {
		return def
	}
	return v
}

func envDuration(name string, def time.Duration) time.Duration {
	v, err := time.ParseDuration(env(name, ""))
	if err != nil {
		return def
	}
	return v
}

func loadConfig() (config, error) {
	cfg := config{
		Addr:                 env("EDGECONF_ADDR", ":8080"),
		APIToken:             os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID:            os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		NamespaceID:          os.Getenv("EDGECONF_KV_NAMESPACE"),
		HostnamesNamespaceID: os.Getenv("EDGECONF_HOSTNAMES_NAMESPACE"),
		D1DatabaseID:         os.Getenv("EDGECONF_D1_DATABASE"),
		StoreKind:            env("EDGECONF_STORE", "kv"),
		LimiterKind:          env("EDGECONF_LIMITER", "d1"),
		DOEndpoint:           os.Getenv("EDGECONF_RATELIMITER_URL"),
		OriginServiceURL:     env("EDGECONF_ORIGIN_SERVICE", "http://origins.internal:8081"),
		RateLimit:            envInt("EDGECONF_RATE_LIMIT", 600),
		RateWindow:           envDuration("EDGECONF_RATE_WINDOW", time.Minute),
		SnapshotTTL:          envDuration("EDGECONF_SNAPSHOT_TTL", 10*time.Minute),
		FailOpen:             env("EDGECONF_RATE_FAIL_OPEN", "false") == "true",
	}
	if cfg.StoreKind == "kv" && (cfg.APIToken == "" || cfg.AccountID == "" || cfg.NamespaceID == "") {
		return cfg, errors.New("CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and EDGECONF_KV_NAMESPACE are required")
	}
	return cfg, nil
}

func buildLimiter(cfg config, client *cloudflare.Client, store storage.Store) (quota.Limiter, error) {
	lc := quota.LimiterConfig{Limit: cfg.RateLimit, Window: cfg.RateWindow, Prefix: "api:"}
	switch cfg.LimiterKind {
	case "d1":
		return quota.NewD1Limiter(client, cfg.AccountID, cfg.D1DatabaseID, lc), nil
	case "do":
		return quota.NewDOLimiter(cfg.DOEndpoint, nil, lc)
	case "kv":
		return quota.NewKVLimiter(store, lc), nil
	case "burst":
		return quota.NewBucketLimiter(store, cfg.RateLimit, cfg.RateWindow/time.Duration(max(cfg.RateLimit, 1))), nil
	default:
		return nil, fmt.Errorf("unknown limiter %q", cfg.LimiterKind)
	}
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg, err := loadConfig()
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(2)
	}

	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))

	var store storage.ExpiringStore
	switch cfg.StoreKind {
	case "memory":
		log.Warn("using in-memory store; data is lost on restart")
		store = storage.NewMemory()
	default:
		store = cfkv.New(client, cfkv.Config{AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID}, cfkv.WithLogger(log))
	}

	tcfg := tenant.DefaultConfig()
	tcfg.SignupWindow = envDuration("EDGECONF_SIGNUP_WINDOW", tcfg.SignupWindow)
	tenants := tenant.NewService(store, tcfg, log)

	var flags *rollout.Service
	snapshots := rollout.NewConfigCache(store,
		func(ctx context.Context, tenantID string) (*rollout.Snapshot, error) {
			return flags.Compile(ctx, tenantID)
		},
		rollout.WithCacheTTL(15*time.Second),
		rollout.WithStaleAfter(cfg.SnapshotTTL),
		rollout.WithCacheLogger(log),
	)
	flags = rollout.NewService(store, rollout.WithSnapshotCache(snapshots), rollout.WithLogger(log))
	exposures := rollout.NewExposureTracker(store, 14*24*time.Hour, 1000, log)

	keys := apikeys.NewService(store, apikeys.Config{
		MaxKeysPerTenant: 10,
		AuthCacheTTL:     5 * time.Minute,
		FailureWindow:    15 * time.Minute,
		LockoutAfter:     20,
	}, log)

	planOf := func(ctx context.Context, tenantID string) (string, error) {
		t, err := tenants.Get(ctx, tenantID)
		if err != nil {
			return "", err
		}
		return t.Plan, nil
	}
	meter := quota.NewUsageMeter(store, planOf, quota.MeterConfig{
		Limits:            quota.PlanLimits{"free": 100_000, "pro": 5_000_000, "enterprise": 100_000_000},
		LimitCacheSeconds: envInt("EDGECONF_PLAN_CACHE_SECONDS", 300),
		Retention:         400 * 24 * time.Hour,
	}, log)

	hosts := hostnames.NewRegistry(client, hostnames.Config{
		AccountID:         cfg.AccountID,
		NamespaceID:       cfg.HostnamesNamespaceID,
		ChallengeTTL:      15 * time.Minute,
		OriginCacheTTL:    envDuration("EDGECONF_ORIGIN_CACHE_TTL", 30*time.Minute),
		MaxVerifyAttempts: 10,
	}, originLookup(cfg.OriginServiceURL), log)

	limiter, err := buildLimiter(cfg, client, store)
	if err != nil {
		log.Error("limiter", "err", err)
		os.Exit(2)
	}
	rateLimit := quota.NewMiddleware(limiter,
		quota.KeyByHeader("X-Tenant-ID"),
		quota.FailOpen(cfg.FailOpen),
		quota.WithMiddlewareLogger(log),
	)

	mux := http.NewServeMux()
	tenant.NewServer(tenants, log).Routes(mux)
	a := &api{flags: flags, exposures: exposures, keys: keys, meter: meter, hosts: hosts, log: log}
	a.routes(mux)

	handler := quota.Chain(mux, requestLog(log), rateLimit.Handler)
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		log.Info("listening", "addr", cfg.Addr, "store", cfg.StoreKind, "limiter", cfg.LimiterKind)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serve", "err", err)
			stop()
		}
	}()
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
	}
}

func requestLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			if strings.HasPrefix(r.URL.Path, "/healthz") {
				return
			}
			log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "dur", time.Since(start))
		})
	}
}
