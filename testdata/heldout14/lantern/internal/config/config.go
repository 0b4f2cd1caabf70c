// Package config loads Lantern's settings from the Worker environment.
//
// Values are read through a Getenv function so the package builds and tests
// natively; in the Worker, cloudflare.Getenv is passed in by cmd/lantern.
// Durations accept Go syntax ("90s", "15m"); plain integers are seconds.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Getenv looks up one environment variable, returning "" when unset.
type Getenv func(name string) string

// Config is the complete runtime configuration of the service.
type Config struct {
	Env            string
	BaseURL        string
	KVBinding      string
	CacheKVBinding string
	// ReadCacheTTL is the edge cacheTtl used for reads through kvstore.
	ReadCacheTTL time.Duration

	Sessions SessionConfig
	Feed     FeedConfig
	Limits   LimitConfig
	Webhooks WebhookConfig
	// ExportMaxPages caps the list calls of one attendee export.
	ExportMaxPages int
	Plans          map[Plan]Quota
}

// SessionConfig controls login sessions and magic links.
type SessionConfig struct {
	// TTLSeconds is how long a session lives, in seconds.
	TTLSeconds   int64
	MagicLinkTTL time.Duration
	CookieName   string
}

// TTL returns the session lifetime as a Duration.
func (s SessionConfig) TTL() time.Duration { return time.Duration(s.TTLSeconds) * time.Second }

// FeedConfig controls the public calendar feeds.
type FeedConfig struct {
	TTL       time.Duration
	MaxEvents int
	Timeout   time.Duration
}

// LimitConfig controls the per-IP and per-user request limits.
type LimitConfig struct {
	RequestsPerWindow int
	Window            time.Duration
}

// WebhookConfig controls inbound payment-provider webhooks.
type WebhookConfig struct {
	Secret      []byte
	MaxAttempts int
	Tolerance   time.Duration
}

// Load reads the configuration. Missing values fall back to defaults;
// malformed values are errors, reported together.
func Load(getenv Getenv) (*Config, error) {
	l := &loader{get: getenv}
	cfg := &Config{
		Env:            l.str("LANTERN_ENV", "production"),
		BaseURL:        strings.TrimRight(l.str("LANTERN_BASE_URL", "https://lantern.example.org"), "/"),
		KVBinding:      l.str("LANTERN_KV", "LANTERN"),
		CacheKVBinding: l.str("LANTERN_CACHE_KV", "LANTERN_CACHE"),
		ReadCacheTTL:   l.dur("LANTERN_READ_CACHE_TTL", 60*time.Second),
		Sessions: SessionConfig{
			TTLSeconds:   l.int64("LANTERN_SESSION_TTL", 14*24*3600),
			MagicLinkTTL: l.dur("LANTERN_MAGIC_LINK_TTL", 15*time.Minute),
			CookieName:   l.str("LANTERN_SESSION_COOKIE", "lantern_sid"),
		},
		Feed: FeedConfig{
			TTL:       l.dur("LANTERN_FEED_TTL", 10*time.Minute),
			MaxEvents: int(l.int64("LANTERN_FEED_MAX_EVENTS", 200)),
			Timeout:   l.dur("LANTERN_FEED_TIMEOUT", 3*time.Second),
		},
		Limits: LimitConfig{
			RequestsPerWindow: int(l.int64("LANTERN_RATE_LIMIT", 120)),
			Window:            l.dur("LANTERN_RATE_WINDOW", time.Minute),
		},
		Webhooks: WebhookConfig{
			Secret:      []byte(l.str("LANTERN_WEBHOOK_SECRET", "")),
			MaxAttempts: int(l.int64("LANTERN_WEBHOOK_MAX_ATTEMPTS", 8)),
			Tolerance:   l.dur("LANTERN_WEBHOOK_TOLERANCE", 5*time.Minute),
		},
		ExportMaxPages: int(l.int64("LANTERN_EXPORT_MAX_PAGES", 40)),
	}
	plans, err := parsePlans(l.str("LANTERN_PLAN_QUOTAS", ""))
	if err != nil {
		l.errs = append(l.errs, err)
	}
	cfg.Plans = plans
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return cfg, nil
}

// Quota returns the quota of a plan, falling back to the free plan.
func (c *Config) Quota(p Plan) Quota {
	if q, ok := c.Plans[p]; ok {
		return q
	}
	return c.Plans[PlanFree]
}

type loader struct {
	get  Getenv
	errs []error
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.get(name)); v != "" {
		return v
	}
	return def
}

func (l *loader) int64(name string, def int64) int64 {
	v := l.get(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return n
}

func (l *loader) dur(name string, def time.Duration) time.Duration {
	v := l.get(name)
	if v == "" {
		return def
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return d
}
