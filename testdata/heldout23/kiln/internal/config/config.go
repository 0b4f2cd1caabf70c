// Package config loads service configuration from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config holds everything the services need at start-up. Durations are kept
// as integers so they map one-to-one to environment variables.
type Config struct {
	ListenAddr string

	AccountID          string
	APIToken           string
	MainNamespaceID    string
	PayoutsNamespaceID string

	SessionHours        int
	HoldMinutes         int
	FlushSeconds        int
	CatalogCacheMinutes int
	RateLimitPerMinute  int
	ReviewDraftSeconds  int
	ExportMaxKeys       int
}

// Defaults returns a configuration suitable for local development.
func Defaults() *Config {
	return &Config{
		ListenAddr:          ":8080",
		SessionHours:        12,
		HoldMinutes:         15,
		FlushSeconds:        5,
		CatalogCacheMinutes: 10,
		RateLimitPerMinute:  120,
		ReviewDraftSeconds:  45, // DEBATABLE kvttl
		ExportMaxKeys:       50_000,
	}
}

// Load reads the environment on top of Defaults.
func Load() (*Config, error) {
	c := Defaults()
	if v := os.Getenv("KILN_LISTEN"); v != "" {
		c.ListenAddr = v
	}
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.APIToken = os.Getenv("CF_API_TOKEN")
	c.MainNamespaceID = os.Getenv("KILN_KV_MAIN")
	c.PayoutsNamespaceID = os.Getenv("KILN_KV_PAYOUTS")
	var err error
	read := func(env string, dst *int) {
		v := os.Getenv(env)
		if v == "" || err != nil {
			return
		}
		if *dst, err = strconv.Atoi(v); err != nil {
			err = fmt.Errorf("config: %s: %w", env, err)
		}
	}
	read("KILN_SESSION_HOURS", &c.SessionHours)
	read("KILN_HOLD_MINUTES", &c.HoldMinutes)
	read("KILN_FLUSH_SECONDS", &c.FlushSeconds)
	read("KILN_CATALOG_CACHE_MINUTES", &c.CatalogCacheMinutes)
	read("KILN_RATE_LIMIT", &c.RateLimitPerMinute)
	read("KILN_REVIEW_DRAFT_SECONDS", &c.ReviewDraftSeconds)
	read("KILN_EXPORT_MAX_KEYS", &c.ExportMaxKeys)
	return c, err
}

// Session is the lifetime of an admin session.
func (c *Config) Session() time.Duration { return time.Duration(c.SessionHours) * time.Hour }

// Hold is how long an unpaid booking keeps its seat.
func (c *Config) Hold() time.Duration { return time.Duration(c.HoldMinutes) * time.Minute }

// Flush is the write-behind flush interval.
func (c *Config) Flush() time.Duration { return time.Duration(c.FlushSeconds) * time.Second }

// CatalogCache is how long catalog projections are cached.
func (c *Config) CatalogCache() time.Duration {
	return time.Duration(c.CatalogCacheMinutes) * time.Minute
}

// ReviewDraft is how long an unsubmitted review draft is kept.
func (c *Config) ReviewDraft() time.Duration {
	return time.Duration(c.ReviewDraftSeconds) * time.Second
}

// Live reports whether Cloudflare credentials are configured.
func (c *Config) Live() bool {
	return c.AccountID != "" && c.APIToken != "" && c.MainNamespaceID != ""
}
