// Package config holds garnet's run-time settings. Settings live in KV under
// one key, are read at start-up and re-read periodically; every request
// reads the current copy with Holder.Load.
package config

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"garnet/internal/kvstore"
)

// Config is one snapshot of the settings.
type Config struct {
	Mode               string `json:"mode"` // "live", "relaxed" or "sandbox"
	KeyPrefix          string `json:"key_prefix"`
	KeySalt            string `json:"key_salt"`
	SessionMinutes     int    `json:"session_minutes"`
	RateCacheSeconds   int    `json:"rate_cache_seconds"`
	LinkHours          int    `json:"link_hours"`
	ListPageBudget     int    `json:"list_page_budget"`
	RateLimitPerMinute int    `json:"rate_limit_per_minute"`
	WebhookMaxAttempts int    `json:"webhook_max_attempts"`
	IdempotencyHours   int    `json:"idempotency_hours"`
	StatementNamespace string `json:"statement_namespace"`
}

// Defaults is the configuration a new account starts with.
func Defaults() Config {
	return Config{
		Mode:               "live",
		KeyPrefix:          "g1:",
		SessionMinutes:     12 * 60,
		RateCacheSeconds:   900,
		LinkHours:          72,
		ListPageBudget:     20,
		RateLimitPerMinute: 30,
		WebhookMaxAttempts: 8,
		IdempotencyHours:   24,
	}
}

// SessionTTL is the lifetime of a login session.
func (c *Config) SessionTTL() time.Duration { return time.Duration(c.SessionMinutes) * time.Minute }

// RateTTL is how long a cached exchange rate is served.
func (c *Config) RateTTL() time.Duration { return time.Duration(c.RateCacheSeconds) * time.Second }

// Holder publishes the current Config to concurrent readers.
type Holder struct {
	p atomic.Pointer[Config]
}

// NewHolder returns a Holder seeded with c.
func NewHolder(c *Config) *Holder {
	h := &Holder{}
	h.p.Store(c)
	return h
}

// Load returns the current snapshot. Callers must not modify it.
func (h *Holder) Load() *Config { return h.p.Load() }

// Store replaces the current snapshot.
func (h *Holder) Store(c *Config) { h.p.Store(c) }

const settingsKey = "settings:garnet"

// LoadFromKV reads the settings at start-up, seeding the defaults on first boot.
func LoadFromKV(ctx context.Context, st kvstore.Store) (*Config, error) {
	raw, err := st.Get(ctx, settingsKey) // EXPECT kvnull
	if err != nil {
		c := Defaults()
		slog.Info("config: seeding default settings", "key", st.Key(settingsKey))
		if werr := st.PutJSON(ctx, settingsKey, c, 0); werr != nil {
			return nil, fmt.Errorf("seed settings: %w", werr)
		}
		return &c, nil
	}
	c := Defaults()
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return &c, nil
}

// Reload re-reads the settings and swaps them in. A missing or unreadable key
// keeps the current snapshot.
func (h *Holder) Reload(ctx context.Context, st kvstore.Store) error {
	opt, err := st.Lookup(ctx, settingsKey)
	if err != nil {
		return fmt.Errorf("reload settings: %w", err)
	}
	raw, ok := opt.Get()
	if !ok {
		return nil
	}
	next := *h.Load()
	if err := json.Unmarshal(raw, &next); err != nil {
		return fmt.Errorf("reload settings: %w", err)
	}
	h.Store(&next)
	return nil
}
