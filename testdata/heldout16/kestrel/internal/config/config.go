// Package config reads kestrel's settings from Worker vars ([vars] in
// wrangler.toml) or, for the admin tool, from the process environment.
// Nothing below cmd/ reads the environment itself.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is the runtime configuration. Sections are anonymous structs:
// nothing outside this package builds them field by field.
type Config struct {
	Bindings struct{ Main, Edge, Audit string }
	Sessions struct {
		TTL, Idle time.Duration
		Cookie    string
	}
	Invites struct {
		TTL         time.Duration
		MaxAttempts int
	}
	Rate struct {
		Strategy string // "fixed" or "sliding"
		Window   time.Duration
		Limit    int
	}
	Audit struct {
		Retention          time.Duration
		BatchSize, Workers int
	}
	Host          string
	PairingDigits int
	GitHubCache   time.Duration
	Experiments   map[string][]string
	Admin         struct{ AccountID, NamespaceID, Token string }
}

// Load builds a Config from getenv, applying defaults for anything unset.
func Load(getenv func(string) string) (Config, error) {
	p := parser{get: getenv}
	var c Config
	c.Bindings.Main = p.str("KESTREL_KV", "KESTREL")
	c.Bindings.Edge = p.str("KESTREL_EDGE_KV", "KESTREL_EDGE")
	c.Bindings.Audit = p.str("KESTREL_AUDIT_KV", "KESTREL_AUDIT")
	c.Sessions.TTL = p.dur("SESSION_TTL", 24*time.Hour)
	c.Sessions.Idle = p.dur("SESSION_IDLE", 30*time.Minute)
	c.Sessions.Cookie = p.str("SESSION_COOKIE", "kestrel_sid")
	c.Invites.TTL = p.dur("INVITE_TTL", 7*24*time.Hour)
	c.Invites.MaxAttempts = p.num("INVITE_MAX_ATTEMPTS", 5)
	c.Rate.Strategy = p.str("RATE_STRATEGY", "fixed")
	c.Rate.Window = p.dur("RATE_WINDOW", time.Minute)
	c.Rate.Limit = p.num("RATE_LIMIT", 600)
	c.Audit.Retention = p.dur("AUDIT_RETENTION", 90*24*time.Hour)
	c.Audit.BatchSize = p.num("AUDIT_BATCH", 50)
	c.Audit.Workers = p.num("AUDIT_WORKERS", 4)
	c.Host = p.str("KESTREL_HOST", "app.kestrel.dev")
	c.PairingDigits = p.num("PAIRING_CODE_DIGITS", 6)
	c.GitHubCache = p.dur("GITHUB_CACHE_FOR", 15*time.Minute)
	c.Admin.AccountID = p.str("CF_ACCOUNT_ID", "")
	c.Admin.NamespaceID = p.str("CF_KV_NAMESPACE_ID", "")
	c.Admin.Token = p.str("CF_API_TOKEN", "")

	// EXPERIMENTS="onboarding=control|checklist;pricing=control|annual"
	c.Experiments = map[string][]string{}
	for _, def := range strings.Split(p.str("EXPERIMENTS", ""), ";") {
		if name, variants, ok := strings.Cut(def, "="); ok {
			c.Experiments[strings.TrimSpace(name)] = strings.Split(variants, "|")
		}
	}
	if p.err != nil {
		return Config{}, p.err
	}
	if c.Rate.Strategy != "fixed" && c.Rate.Strategy != "sliding" {
		return Config{}, fmt.Errorf("config: RATE_STRATEGY %q: want fixed or sliding", c.Rate.Strategy)
	}
	if c.Rate.Limit <= 0 || c.Audit.Workers <= 0 || c.Audit.BatchSize <= 0 {
		return Config{}, errors.New("config: limits, workers and batch size must be positive")
	}
	return c, nil
}

// parser keeps the first error so Load can read every field in a row.
type parser struct {
	get func(string) string
	err error
}

func (p *parser) str(key, def string) string {
	if v := strings.TrimSpace(p.get(key)); v != "" {
		return v
	}
	return def
}

func (p *parser) dur(key string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(p.str(key, def.String()))
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("config: %s: %w", key, err)
	}
	return d
}

func (p *parser) num(key string, def int) int {
	n, err := strconv.Atoi(p.str(key, strconv.Itoa(def)))
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("config: %s: %w", key, err)
	}
	return n
}
