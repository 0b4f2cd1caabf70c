// Package config holds billingd's runtime settings. Defaults are tuned for
// production; every field can be overridden from the environment.
package config

import (
	"fmt"
	"os"
	"time"
)

// ExportPageSize is the page size the operator tooling asks the KV API for.
const ExportPageSize = 1000

// Cloudflare identifies the account and the KV namespace billing data lives in.
type Cloudflare struct {
	AccountID   string
	NamespaceID string
	APIToken    string
}

// Cache controls how long derived data may be served from KV.
type Cache struct {
	EntitlementsTTL time.Duration
	InvoiceTTL      time.Duration
	// LocalTTL bounds the in-process cache that sits in front of KV.
	LocalTTL time.Duration
}

// Sessions configures dashboard/API sessions.
type Sessions struct {
	TTL        time.Duration
	CookieName string
}

// Webhooks configures inbound payment-provider webhooks.
type Webhooks struct {
	// DedupWindow is how long a delivered event id is remembered.
	DedupWindow time.Duration
	Provider    string
}

// Jobs configures the background aggregation jobs.
type Jobs struct {
	SnapshotEvery time.Duration
	Retention     time.Duration
	Workers       int
	PageSize      int
	MaxPages      int
}

// RateLimit configures the per-API-key request limiter.
type RateLimit struct {
	Window   time.Duration
	Requests int
}

// Config is the root configuration object, built once in main.
type Config struct {
	Addr       string
	Cloudflare Cloudflare
	Cache      Cache
	Sessions   Sessions
	Webhooks   Webhooks
	Jobs       Jobs
	RateLimit  RateLimit
}

// Default returns the production defaults.
func Default() Config {
	return Config{
		Addr: ":8080",
		Cache: Cache{
			EntitlementsTTL: 10 * time.Minute,
			InvoiceTTL:      time.Hour,
			LocalTTL:        15 * time.Second,
		},
		Sessions: Sessions{
			TTL:        12 * time.Hour,
			CookieName: "bsid",
		},
		Webhooks: Webhooks{
			DedupWindow: 30 * time.Second, // EXPECT kvttl
			Provider:    "stripe",
		},
		Jobs: Jobs{
			SnapshotEvery: 5 * time.Minute,
			Retention:     90 * 24 * time.Hour,
			Workers:       8,
			PageSize:      500,
			MaxPages:      20,
		},
		RateLimit: RateLimit{
			Window:   time.Minute,
			Requests: 600,
		},
	}
}

// Load starts from Default and applies environment overrides.
func Load() (Config, error) {
	cfg := Default()
	cfg.Cloudflare = Cloudflare{
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: os.Getenv("BILLING_KV_NAMESPACE"),
		APIToken:    os.Getenv("CF_API_TOKEN"),
	}
	if v := os.Getenv("BILLING_ADDR"); v != "" {
		cfg.Addr = v
	}
	for name, dst := range map[string]*time.Duration{
		"BILLING_ENTITLEMENTS_TTL": &cfg.Cache.EntitlementsTTL,
		"BILLING_SESSION_TTL":      &cfg.Sessions.TTL,
		"BILLING_SNAPSHOT_EVERY":   &cfg.Jobs.SnapshotEvery,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return Config{}, fmt.Errorf("config: %s: %w", name, err)
			}
			*dst = d
		}
	}
	if cfg.Cloudflare.AccountID == "" || cfg.Cloudflare.NamespaceID == "" {
		return Config{}, fmt.Errorf("config: CF_ACCOUNT_ID and BILLING_KV_NAMESPACE are required")
	}
	return cfg, nil
}
