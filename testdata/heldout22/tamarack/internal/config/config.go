// Package config reads start-up settings from environment strings.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Getenv looks up one setting; os.Getenv and the Workers env both fit.
type Getenv func(string) string

// Config is the parsed configuration of the worker and the admin tool.
type Config struct {
	Environment string
	KVBinding   string

	SessionTTL      time.Duration
	SessionTouch    time.Duration
	LineupCacheTTL  time.Duration
	LocalCacheTTL   time.Duration
	PlotHoldTTL     time.Duration
	PressLinkTTL    time.Duration
	BackupCodeTTL   time.Duration
	ClaimRetention  time.Duration
	ReentryCooldown time.Duration

	GateLimit  int
	GateWindow time.Duration

	AccountID   string
	NamespaceID string
	APIToken    string
	APIBase     string
}

// Load parses every setting and reports all problems at once. Invalid values
// fall back to their defaults so that a partially broken configuration still
// yields a usable Config.
func Load(get Getenv) (Config, error) {
	p := parser{get: get}
	ttls := p.ttlTable("KV_TTLS")

	c := Config{
		Environment: p.str("TAMARACK_ENV", "production"),
		KVBinding:   p.str("KV_BINDING", "TAMARACK_KV"),

		SessionTTL:      p.ttlSeconds(ttls, "sessions", 12*time.Hour),
		LineupCacheTTL:  p.ttlSeconds(ttls, "lineup", 5*time.Minute),
		PressLinkTTL:    p.ttlSeconds(ttls, "presskit", 72*time.Hour),
		BackupCodeTTL:   p.ttlSeconds(ttls, "backup_codes", 180*24*time.Hour),
		SessionTouch:    p.duration("SESSION_TOUCH_EVERY", 5*time.Minute),
		LocalCacheTTL:   p.duration("LOCAL_CACHE_TTL", 10*time.Second),
		PlotHoldTTL:     p.duration("PLOT_HOLD_TTL", 15*time.Minute),
		ClaimRetention:  p.duration("CLAIM_RETENTION", 30*24*time.Hour),
		ReentryCooldown: p.duration("REENTRY_COOLDOWN", 2*time.Minute),

		GateLimit:  p.integer("GATE_LIMIT", 600),
		GateWindow: p.duration("GATE_WINDOW", time.Minute),

		AccountID:   p.str("CF_ACCOUNT_ID", ""),
		NamespaceID: p.str("CF_KV_NAMESPACE_ID", ""),
		APIToken:    p.str("CF_API_TOKEN", ""),
		APIBase:     p.str("CF_API_BASE", "https://api.cloudflare.com/client/v4"),
	}
	return c, errors.Join(p.errs...)
}

type parser struct {
	get  Getenv
	errs []error
}

func (p *parser) str(name, fallback string) string {
	if v := strings.TrimSpace(p.get(name)); v != "" {
		return v
	}
	return fallback
}

func (p *parser) duration(name string, fallback time.Duration) time.Duration {
	raw := strings.TrimSpace(p.get(name))
	if raw == "" {
		return fallback
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s=%q: want a positive duration", name, raw))
		return fallback
	}
	return d
}

func (p *parser) integer(name string, fallback int) int {
	raw := strings.TrimSpace(p.get(name))
	if raw == "" {
		return fallback
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s=%q: want a positive integer", name, raw))
		return fallback
	}
	return n
}

// ttlTable parses "sessions.ttl_seconds=43200,lineup.ttl_seconds=300".
func (p *parser) ttlTable(name string) map[string]string {
	out := make(map[string]string)
	raw := strings.TrimSpace(p.get(name))
	if raw == "" {
		return out
	}
	for _, part := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			p.errs = append(p.errs, fmt.Errorf("%s: malformed entry %q", name, part))
			continue
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

func (p *parser) ttlSeconds(table map[string]string, family string, fallback time.Duration) time.Duration {
	raw, ok := table[family+".ttl_seconds"]
	if !ok {
		return fallback
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		p.errs = append(p.errs, fmt.Errorf("%s.ttl_seconds=%q: want whole seconds", family, raw))
		return fallback
	}
	return time.Duration(n) * time.Second
}
