// Package config reads the service settings from the environment.
package config

import (
	"os"
	"strconv"
	"time"
)

// KV holds the settings that shape how a component uses its namespace.
type KV struct {
	TTL       time.Duration
	PageSize  int
	MaxPages  int
	Namespace string
}

// Config is the whole service configuration.
type Config struct {
	AccountID   string
	APIToken    string
	Listen      string
	PortalNS    string
	BillingNS   string
	ExportsNS   string
	SessionTTL  time.Duration
	MagicTTL    time.Duration
	IdemTTL     time.Duration
	ExportTTL   time.Duration
	SweepEvery  time.Duration
	RateLimit   int
	RateWindow  time.Duration
	ExportQuota int
	Cache       KV
}

// Load reads the environment, falling back to defaults.
func Load() Config {
	c := Config{
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		APIToken:    os.Getenv("CF_API_TOKEN"),
		Listen:      envString("LISTEN_ADDR", ":8080"),
		PortalNS:    os.Getenv("KV_PORTAL_NAMESPACE"),
		BillingNS:   os.Getenv("KV_BILLING_NAMESPACE"),
		ExportsNS:   os.Getenv("KV_EXPORTS_NAMESPACE"),
		SessionTTL:  envDuration("SESSION_TTL", 12*time.Hour),
		MagicTTL:    envDuration("MAGIC_LINK_TTL", 15*time.Minute),
		IdemTTL:     envDuration("IDEMPOTENCY_TTL", 24*time.Hour),
		ExportTTL:   envDuration("EXPORT_TTL", 7*24*time.Hour),
		SweepEvery:  envDuration("EXPORT_SWEEP_EVERY", 5*time.Minute),
		RateLimit:   envInt("RATE_LIMIT", 600),
		RateWindow:  envDuration("RATE_WINDOW", time.Minute),
		ExportQuota: envInt("EXPORT_QUOTA", 50),
	}
	c.Cache = KV{
		TTL:       envDuration("CACHE_TTL", 10*time.Minute),
		PageSize:  envInt("KV_PAGE_SIZE", 1000),
		MaxPages:  envInt("KV_MAX_PAGES", 20),
		Namespace: c.BillingNS,
	}
	return c
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil || d <= 0 {
		return def
	}
	return d
}

func envInt(name string, def int) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n <= 0 {
		return def
	}
	return n
}
