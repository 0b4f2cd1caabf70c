// Package config loads the gateway configuration from a JSON file and the
// environment, and fills in defaults for anything left unset.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is the process-wide configuration for the tollgate gateway.
type Config struct {
	// Storage driver name as registered with storage.Register ("kv", "mem").
	Driver      string `json:"driver"`
	AccountID   string `json:"account_id"`
	NamespaceID string `json:"namespace_id"`
	APIToken    string `json:"-"`
	KeyPrefix   string `json:"key_prefix"`

	ListenAddr string `json:"listen_addr"`
	LogLevel   string `json:"log_level"`

	// Catalog caching.
	CatalogTTL     time.Duration `json:"catalog_ttl"`
	CatalogRefresh time.Duration `json:"catalog_refresh"`

	// Portal sessions, stored as milliseconds for parity with the JS workers.
	SessionTTLMillis    int64 `json:"session_ttl_ms"`
	OAuthStateTTLMillis int64 `json:"oauth_state_ttl_ms"`

	// API keys.
	KeyLifetime        time.Duration `json:"key_lifetime"`
	TombstoneRetention time.Duration `json:"tombstone_retention"`
	MaxFailedAuth      int           `json:"max_failed_auth"`

	// Rate limiting and metering.
	RateWindow    time.Duration `json:"rate_window"`
	FlushEvery    time.Duration `json:"flush_every"`
	FlushSize     int           `json:"flush_size"`
	UsageViewTTL  time.Duration `json:"usage_view_ttl"`
	PendingTTLMs  int64         `json:"pending_ttl_ms"`
	BillingGrace  time.Duration `json:"billing_grace"`
	ShareLinkMax  time.Duration `json:"share_link_max"`
	WebhookPool   int           `json:"webhook_pool"`
	WebhookQueue  int           `json:"webhook_queue"`
	ExportPageMax int           `json:"export_page_max"`
}

// orDefault sets *p to def when *p is the zero value.
func orDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// withDefaults returns a copy of c with zero fields replaced by defaults.
func (c Config) withDefaults() Config {
	orDefault(&c.Driver, "kv")
	orDefault(&c.ListenAddr, ":8080")
	orDefault(&c.LogLevel, "info")
	orDefault(&c.CatalogTTL, 10*time.Minute)
	orDefault(&c.CatalogRefresh, 5*time.Minute)
	orDefault(&c.SessionTTLMillis, int64((12*time.Hour)/time.Millisecond))
	orDefault(&c.OAuthStateTTLMillis, 10*60*1000)
	orDefault(&c.KeyLifetime, 90*24*time.Hour)
	orDefault(&c.TombstoneRetention, 30*24*time.Hour)
	orDefault(&c.MaxFailedAuth, 10)
	orDefault(&c.RateWindow, time.Minute)
	orDefault(&c.FlushEvery, 30*time.Second)
	orDefault(&c.FlushSize, 500)
	orDefault(&c.UsageViewTTL, 5*time.Minute)
	orDefault(&c.PendingTTLMs, 45_000)
	orDefault(&c.BillingGrace, 72*time.Hour)
	orDefault(&c.ShareLinkMax, 7*24*time.Hour)
	orDefault(&c.WebhookPool, 8)
	orDefault(&c.WebhookQueue, 256)
	orDefault(&c.ExportPageMax, 50)
	return c
}

// SessionTTL converts the configured session lifetime to a Duration.
func (c Config) SessionTTL() time.Duration {
	return time.Duration(c.SessionTTLMillis) * time.Millisecond
}

// OAuthStateTTL converts the configured OAuth state lifetime to a Duration.
func (c Config) OAuthStateTTL() time.Duration {
	return time.Duration(c.OAuthStateTTLMillis) * time.Millisecond
}

// Load reads the file at path (if any), overlays environment variables and
// applies defaults.
func Load(path string) (Config, error) {
	var c Config
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return Config{}, fmt.Errorf("config: parse %s: %w", path, err)
		}
	}
	overlayEnv(&c)
	return c.withDefaults(), nil
}

func overlayEnv(c *Config) {
	if v := os.Getenv("TOLLGATE_DRIVER"); v != "" {
		c.Driver = v
	}
	if v := os.Getenv("CLOUDFLARE_ACCOUNT_ID"); v != "" {
		c.AccountID = v
	}
	if v := os.Getenv("TOLLGATE_KV_NAMESPACE"); v != "" {
		c.NamespaceID = v
	}
	if v := os.Getenv("CLOUDFLARE_API_TOKEN"); v != "" {
		c.APIToken = v
	}
	if v := os.Getenv("TOLLGATE_SESSION_TTL_MS"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			c.SessionTTLMillis = n
		}
	}
}
