// Package config reads gadwalld's settings from the environment.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting the daemon needs.
type Config struct {
	ListenAddr, AccountID, APIToken, WebhookSecret string

	// Namespace IDs.
	LicenseNamespace, PortalNamespace, CacheNamespace, OpsNamespace string
	// TenantNamespaces maps a vendor tenant ID to its own namespace, from
	// GADWALL_TENANTS="acme=ns1,globex=ns2".
	TenantNamespaces map[string]string

	SessionTTL, MagicLinkTTL, RefreshTokenTTL, OfflineGrantValidity time.Duration
	TrialLength, ValidationCacheTTL, LoginWindow                    time.Duration
	FlushInterval, SweepInterval                                    time.Duration

	LoginMaxAttempts, CacheEntries, SweepConcurrency, DailyQuota int
}

// Load builds a Config from the process environment, applying defaults.
func Load() (*Config, error) {
	c := &Config{
		ListenAddr:       env("GADWALL_LISTEN", ":8080"),
		AccountID:        os.Getenv("CF_ACCOUNT_ID"),
		APIToken:         os.Getenv("CF_API_TOKEN"),
		WebhookSecret:    os.Getenv("GADWALL_WEBHOOK_SECRET"),
		LicenseNamespace: os.Getenv("GADWALL_KV_LICENSES"),
		PortalNamespace:  os.Getenv("GADWALL_KV_PORTAL"),
		CacheNamespace:   os.Getenv("GADWALL_KV_CACHE"),
		OpsNamespace:     os.Getenv("GADWALL_KV_OPS"),

		SessionTTL:           duration("GADWALL_SESSION_TTL", 12*time.Hour),
		MagicLinkTTL:         duration("GADWALL_MAGIC_LINK_TTL", 15*time.Minute),
		RefreshTokenTTL:      duration("GADWALL_REFRESH_TTL", 30*24*time.Hour),
		OfflineGrantValidity: duration("GADWALL_OFFLINE_VALIDITY", 30*24*time.Hour),
		TrialLength:          duration("GADWALL_TRIAL_LENGTH", 14*24*time.Hour),
		ValidationCacheTTL:   duration("GADWALL_VALIDATION_CACHE_TTL", 5*time.Minute),
		LoginWindow:          duration("GADWALL_LOGIN_WINDOW", 15*time.Minute),
		FlushInterval:        duration("GADWALL_FLUSH_INTERVAL", 30*time.Second),
		SweepInterval:        duration("GADWALL_SWEEP_INTERVAL", time.Hour),

		LoginMaxAttempts: integer("GADWALL_LOGIN_MAX_ATTEMPTS", 10),
		CacheEntries:     integer("GADWALL_CACHE_ENTRIES", 4096),
		SweepConcurrency: integer("GADWALL_SWEEP_CONCURRENCY", 8),
		DailyQuota:       integer("GADWALL_DAILY_QUOTA", 500),
		TenantNamespaces: map[string]string{},
	}
	for _, pair := range strings.Split(os.Getenv("GADWALL_TENANTS"), ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		id, ns, ok := strings.Cut(pair, "=")
		if !ok || id == "" || ns == "" {
			return nil, fmt.Errorf("config: bad GADWALL_TENANTS entry %q", pair)
		}
		c.TenantNamespaces[id] = ns
	}
	if c.AccountID == "" || c.APIToken == "" {
		return nil, fmt.Errorf("config: CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	return c, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func duration(name string, def time.Duration) time.Duration {
	raw := os.Getenv(name)
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		slog.Warn("config: bad duration, using default", "var", name, "value", raw)
		return def
	}
	return d
}

func integer(name string, def int) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil || n <= 0 {
		return def
	}
	return n
}
