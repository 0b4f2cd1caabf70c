// Package config loads deployctl settings from the environment. DEPLOY_CONFIG
// may hold a flat YAML document ("key: value" per line, as mounted from a
// ConfigMap); individual DEPLOY_<KEY> variables override it.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Namespaces holds the KV namespace IDs, one per bounded context.
type Namespaces struct {
	Flags, Locks, Releases, Tokens, Sessions, Audit, Artifacts, Webhooks string
}

// Config is the process configuration.
type Config struct {
	AccountID, APIToken string
	Namespaces          Namespaces
	ListenAddr          string
	Workers             int
	DryRun              bool

	LockTTL        time.Duration
	TokenTTL       time.Duration
	SessionTTL     time.Duration
	LocalCacheTTL  time.Duration
	AuditRetention time.Duration
	ArtifactTTL    time.Duration
	TombstoneTTL   time.Duration
	ReleaseHistory int

	WebhookSecret, RateLimiterURL string
	WebhookLimit                  int
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		ListenAddr:     ":8787",
		Workers:        8,
		LockTTL:        30 * time.Second, // EXPECT kvttl
		TokenTTL:       30 * 24 * time.Hour,
		SessionTTL:     12 * time.Hour,
		LocalCacheTTL:  5 * time.Second,
		AuditRetention: 90 * 24 * time.Hour,
		ArtifactTTL:    14 * 24 * time.Hour,
		TombstoneTTL:   10 * time.Minute,
		ReleaseHistory: 50,
		WebhookLimit:   120,
	}
}

// Load builds a Config from getenv.
func Load(getenv func(string) string) (Config, error) {
	doc := map[string]string{}
	for _, line := range strings.Split(getenv("DEPLOY_CONFIG"), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			doc[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	lookup := func(k string) (string, bool) {
		if v := getenv("DEPLOY_" + strings.ToUpper(k)); v != "" {
			return v, true
		}
		v, ok := doc[k]
		return v, ok
	}
	var errs []error
	str := func(k string, dst *string) {
		if v, ok := lookup(k); ok {
			*dst = v
		}
	}
	num := func(k string, dst *int) {
		if v, ok := lookup(k); ok {
			var err error
			if *dst, err = strconv.Atoi(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
			}
		}
	}
	dur := func(k string, dst *time.Duration) {
		if v, ok := lookup(k); ok {
			var err error
			if *dst, err = time.ParseDuration(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
			}
		}
	}

	c := Defaults()
	str("account_id", &c.AccountID)
	str("api_token", &c.APIToken)
	str("listen_addr", &c.ListenAddr)
	str("webhook_secret", &c.WebhookSecret)
	str("rate_limiter_url", &c.RateLimiterURL)
	for k, dst := range map[string]*string{
		"flags": &c.Namespaces.Flags, "locks": &c.Namespaces.Locks, "releases": &c.Namespaces.Releases,
		"tokens": &c.Namespaces.Tokens, "sessions": &c.Namespaces.Sessions, "audit": &c.Namespaces.Audit,
		"artifacts": &c.Namespaces.Artifacts, "webhooks": &c.Namespaces.Webhooks,
	} {
		str("ns_"+k, dst)
	}
	num("workers", &c.Workers)
	num("release_history", &c.ReleaseHistory)
	num("webhook_limit", &c.WebhookLimit)
	dur("lock_ttl", &c.LockTTL)
	dur("token_ttl", &c.TokenTTL)
	dur("session_ttl", &c.SessionTTL)
	dur("local_cache_ttl", &c.LocalCacheTTL)
	dur("audit_retention", &c.AuditRetention)
	dur("artifact_ttl", &c.ArtifactTTL)
	dur("tombstone_ttl", &c.TombstoneTTL)
	if v, ok := lookup("dry_run"); ok {
		c.DryRun, _ = strconv.ParseBool(v)
	}
	if c.Workers < 1 {
		errs = append(errs, errors.New("workers must be >= 1"))
	}
	return c, errors.Join(errs...)
}
