// Command fleet-api serves the fleet management API.
package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/fleet/internal/auth"
	"example.com/fleet/internal/devices"
	"example.com/fleet/internal/httpapi"
	"example.com/fleet/internal/legacy/provisioning"
	"example.com/fleet/internal/ota"
	"example.com/fleet/internal/ratelimit"
	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/storage/kvv0"
	"example.com/fleet/internal/storage/kvv6"
	"example.com/fleet/internal/telemetry"
)

type config struct {
	Addr         string
	AccountID    string
	APIToken     string
	RegistryNS   string
	PresenceNS   string
	OTANS        string
	LegacyNS     string
	DBDriver     string
	DBDSN        string
	BridgeURL    string
	GatewayURL   string
	ManifestURL  string
	OTASecret    string
	CountersInKV bool
	DailyQuota   int
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func envDuration(k string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func loadConfig() config {
	var c config
	flag.StringVar(&c.Addr, "addr", env("FLEET_ADDR", ":8080"), "listen address")
	flag.BoolVar(&c.CountersInKV, "kv-counters", os.Getenv("FLEET_KV_COUNTERS") == "1", "keep message counters in KV instead of D1")
	flag.Parse()
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.APIToken = os.Getenv("CF_API_TOKEN")
	c.RegistryNS = os.Getenv("KV_REGISTRY_NS")
	c.PresenceNS = os.Getenv("KV_PRESENCE_NS")
	c.OTANS = os.Getenv("KV_OTA_NS")
	c.LegacyNS = os.Getenv("KV_LEGACY_NS")
	c.DBDriver = env("DB_DRIVER", "d1")
	c.DBDSN = os.Getenv("DB_DSN")
	c.BridgeURL = env("BRIDGE_URL", "http://bridge.internal:8081")
	c.GatewayURL = env("DO_GATEWAY_URL", "http://do-gateway.internal")
	c.ManifestURL = env("MANIFEST_ORIGIN", "https://firmware.example.com")
	c.OTASecret = os.Getenv("OTA_SIGNING_SECRET")
	c.DailyQuota = envInt("DAILY_API_QUOTA", 100_000)
	return c
}

// bridge is the MQTT bridge's HTTP API; it implements devices.ShadowSource.
type bridge struct {
	base   string
	client *http.Client
}

func (b bridge) FetchShadow(ctx context.Context, id string) (devices.Shadow, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/shadows/"+url.PathEscape(id), nil)
	if err != nil {
		return devices.Shadow{}, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return devices.Shadow{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return devices.Shadow{}, devices.ErrNotFound
	}
	if resp.StatusCode != http.StatusOK {
		return devices.Shadow{}, fmt.Errorf("bridge: %s", resp.Status)
	}
	var sh devices.Shadow
	return sh, json.NewDecoder(resp.Body).Decode(&sh)
}

func main() {
	cfg := loadConfig()
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(cfg, log); err != nil {
		log.Error("fleet-api exited", "err", err)
		os.Exit(1)
	}
}

func run(cfg config, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	db, err := sql.Open(cfg.DBDriver, cfg.DBDSN)
	if err != nil {
		return fmt.Errorf("open db: %w", err)
	}
	defer db.Close()

	// Current SDK: registry, presence and OTA namespaces.
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
	registry := kvv6.New(cf, kvv6.Config{AccountID: cfg.AccountID, NamespaceID: cfg.RegistryNS}, kvv6.WithLogger(log))
	presence := kvv6.New(cf, kvv6.Config{AccountID: cfg.AccountID, NamespaceID: cfg.PresenceNS}, kvv6.WithLogger(log))
	otaCache := kvv6.New(cf, kvv6.Config{AccountID: cfg.AccountID, NamespaceID: cfg.OTANS, KeyPrefix: "cache/"})

	// Legacy SDK: the provisioning namespace is still managed by the old client.
	legacyAPI, err := cfv0.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return fmt.Errorf("legacy cloudflare client: %w", err)
	}
	legacyKV := kvv0.New(legacyAPI, cfg.AccountID, cfg.LegacyNS)

	gateway, err := url.Parse(cfg.GatewayURL)
	if err != nil {
		return fmt.Errorf("DO_GATEWAY_URL: %w", err)
	}
	httpc := &http.Client{Timeout: 5 * time.Second}

	authCfg := auth.Config{
		SessionTTL:    envDuration("SESSION_TTL", 12*time.Hour),
		FailureWindow: 15 * time.Minute,
		MaxFailures:   envInt("MAX_LOGIN_FAILURES", 10),
		KeyCacheTTL:   10 * time.Minute,
	}

	deviceSvc := devices.NewService(devices.Deps{
		Registry: registry,
		Presence: presence,
		Commands: presence,
		Upstream: bridge{base: cfg.BridgeURL, client: httpc},
		Logger:   log,
	}, devices.Config{
		ShadowTTL: envDuration("SHADOW_TTL", 2*time.Minute),
	})

	var counter telemetry.MessageCounter = telemetry.NewSQLCounters(db)
	if cfg.CountersInKV {
		counter = telemetry.NewKVCounters(registry)
	}
	usage := telemetry.NewUsageTracker(registry)

	srv := &httpapi.Server{
		Devices:  deviceSvc,
		Sessions: auth.NewSessions(registry, authCfg, log),
		Lockout:  auth.NewLockout(registry, authCfg),
		Keys:     auth.NewKeys(registry, db, authCfg),
		OTA: ota.New(cf, otaCache, ota.Config{
			AccountID:      cfg.AccountID,
			NamespaceID:    cfg.OTANS,
			ManifestOrigin: cfg.ManifestURL,
		}, log),
		Enroll: provisioning.New(legacyKV, legacyKV, provisioning.Config{
			CodeTTL:        envDuration("ENROLL_CODE_TTL", 30*time.Minute),
			MaxAttempts:    5,
			ReceiptTTLSecs: envInt("ENROLL_RECEIPT_TTL", 7*24*3600),
		}),
		Ingest:  telemetry.NewIngester(presence, counter, usage, log),
		Usage:   usage,
		Pairing: repo.NewRepo[httpapi.PairingToken](registry, "pair:", repo.WithTTL(45*time.Second)), // EXPECT kvttl
		Flags:   presence,
		Aliases: registry,
		Quota:   httpapi.NewQuota(registry, cfg.DailyQuota, log),
		Log:     log,

		OTASecret: []byte(cfg.OTASecret),
		APILimiter: ratelimit.Chain{
			ratelimit.NewLocal(50, 100),
			ratelimit.NewKV(registry, ratelimit.Config{Prefix: "rl:api:", Limit: 600, Window: time.Minute}),
		},
		DeviceLimiter: ratelimit.NewDO(gateway, httpc, ratelimit.Config{Prefix: "dev:", Limit: 120, Window: time.Minute}),

		PasswordCheck: func(ctx context.Context, user, password string) (string, bool, error) {
			var tenant, hash string
			err := db.QueryRowContext(ctx, `SELECT tenant, pw_sha256 FROM users WHERE email = ?`, user).Scan(&tenant, &hash)
			if errors.Is(err, sql.ErrNoRows) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			sum := sha256.Sum256([]byte(password))
			return tenant, hex.EncodeToString(sum[:]) == hash, nil
		},
	}
	httpapi.AdminToken = os.Getenv("FLEET_ADMIN_TOKEN")

	hs := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Addr)
	if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
