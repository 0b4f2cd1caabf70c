// Package config loads service settings from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"example.com/bellwether/internal/ttlpolicy"
)

// Config is the process configuration. Durations are stored as integer
// fields because that is how the deploy tooling templates them.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string
	APIBase     string
	ListenAddr  string
	KeyPrefix   string

	SessionMinutes      int
	RetentionMinutes    int
	ResultsCacheSeconds int
	RateWindowSeconds   int
	FlushIntervalMillis int
	ExportMaxRows       int
	SweepPageBudget     int

	MemoryStore bool
}

// Load reads the environment, applying defaults.
func Load() (*Config, error) {
	c := &Config{
		AccountID:           os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID:         os.Getenv("CF_KV_NAMESPACE_ID"),
		APIToken:            os.Getenv("CF_API_TOKEN"),
		APIBase:             envOr("CF_API_BASE", "https://api.cloudflare.com/client/v4"),
		ListenAddr:          envOr("LISTEN_ADDR", ":8080"),
		KeyPrefix:           os.Getenv("KV_KEY_PREFIX"),
		SessionMinutes:      120,
		RetentionMinutes:    60 * 24 * 30,
		ResultsCacheSeconds: 300,
		RateWindowSeconds:   60,
		FlushIntervalMillis: 5000,
		ExportMaxRows:       250_000,
		SweepPageBudget:     20,
		MemoryStore:         os.Getenv("BW_MEMORY_STORE") == "1",
	}
	ints := map[string]*int{
		"BW_SESSION_MINUTES":       &c.SessionMinutes,
		"BW_RETENTION_MINUTES":     &c.RetentionMinutes,
		"BW_RESULTS_CACHE_SECONDS": &c.ResultsCacheSeconds,
		"BW_RATE_WINDOW_SECONDS":   &c.RateWindowSeconds,
		"BW_FLUSH_INTERVAL_MS":     &c.FlushIntervalMillis,
		"BW_EXPORT_MAX_ROWS":       &c.ExportMaxRows,
		"BW_SWEEP_PAGE_BUDGET":     &c.SweepPageBudget,
	}
	for name, dst := range ints {
		raw := os.Getenv(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", name, err)
		}
		*dst = n
	}
	if !c.MemoryStore && (c.AccountID == "" || c.NamespaceID == "" || c.APIToken == "") {
		return nil, fmt.Errorf("config: Cloudflare account, namespace and token are required")
	}
	return c, nil
}

// SessionTTL is the respondent session lifetime.
func (c *Config) SessionTTL() time.Duration {
	return time.Duration(c.SessionMinutes) * time.Minute
}

// Retention is how long individual votes are kept.
func (c *Config) Retention() time.Duration {
	return time.Duration(c.RetentionMinutes) * time.Minute
}

// ResultsTTL is the results cache lifetime, never below what KV accepts.
func (c *Config) ResultsTTL() time.Duration {
	return ttlpolicy.AtLeastFloor(time.Duration(c.ResultsCacheSeconds) * time.Second)
}

// RateWindow is the rate-limit window.
func (c *Config) RateWindow() time.Duration {
	return time.Duration(c.RateWindowSeconds) * time.Second
}

// FlushInterval is how often buffered writes are flushed.
func (c *Config) FlushInterval() time.Duration {
	return time.Duration(c.FlushIntervalMillis) * time.Millisecond
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
