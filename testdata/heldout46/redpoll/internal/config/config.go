// Package config loads runtime settings for the redpoll services from the
// environment and from an optional JSON file. Durations and limits arrive as
// strings and are parsed here so that every binary agrees on the defaults.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Plan is an employer subscription tier.
type Plan int

const (
	PlanFree Plan = iota
	PlanStarter
	PlanGrowth
	PlanEnterprise
)

// PostingAllowance is the number of live postings a plan may hold per month.
func (p Plan) PostingAllowance() int {
	switch p {
	case PlanStarter:
		return 5
	case PlanGrowth:
		return 25
	case PlanEnterprise:
		return 500
	default:
		return 1
	}
}

// ParsePlan maps the billing system's plan names onto Plan.
func ParsePlan(s string) (Plan, error) {
	switch s {
	case "free", "":
		return PlanFree, nil
	case "starter":
		return PlanStarter, nil
	case "growth":
		return PlanGrowth, nil
	case "enterprise":
		return PlanEnterprise, nil
	}
	return PlanFree, fmt.Errorf("config: unknown plan %q", s)
}

// Config is shared by the Worker and the backend binaries.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string

	ListingCacheTTL time.Duration
	SessionTTL      time.Duration
	MagicLinkTTL    time.Duration
	SweepEvery      time.Duration
	DigestEvery     time.Duration

	ListPageBudget int
	ListPageSize   int
	LoginAttempts  int
	GraceDays      int
}

type fileConfig struct {
	ListingCacheTTL string `json:"listing_cache_ttl"`
	SessionTTL      string `json:"session_ttl"`
	MagicLinkTTL    string `json:"magic_link_ttl"`
	SweepEvery      string `json:"sweep_every"`
	DigestEvery     string `json:"digest_every"`
	ListPageBudget  string `json:"list_page_budget"`
	ListPageSize    string `json:"list_page_size"`
	LoginAttempts   string `json:"login_attempts"`
	GraceDays       string `json:"grace_days"`
}

// Defaults returns the settings used when neither file nor environment
// override a value.
func Defaults() Config {
	return Config{
		ListingCacheTTL: 5 * time.Minute,
		SessionTTL:      14 * 24 * time.Hour,
		MagicLinkTTL:    15 * time.Minute,
		SweepEvery:      24 * time.Hour,
		DigestEvery:     6 * time.Hour,
		ListPageBudget:  20,
		ListPageSize:    1000,
		LoginAttempts:   5,
		GraceDays:       7,
	}
}

// Load reads path (if it exists) and then applies environment overrides.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Defaults()
	if path != "" {
		raw, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return cfg, fmt.Errorf("config: read %s: %w", path, err)
		default:
			var fc fileConfig
			if err := json.Unmarshal(raw, &fc); err != nil {
				return cfg, fmt.Errorf("config: parse %s: %w", path, err)
			}
			if err := apply(&cfg, fc.get); err != nil {
				return cfg, err
			}
		}
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg.AccountID = getenv("CF_ACCOUNT_ID")
	cfg.NamespaceID = getenv("REDPOLL_KV_NAMESPACE")
	cfg.APIToken = getenv("CF_API_TOKEN")
	err := apply(&cfg, func(name string) string { return getenv("REDPOLL_" + envName(name)) })
	return cfg, err
}

func (fc fileConfig) get(name string) string {
	switch name {
	case "listing_cache_ttl":
		return fc.ListingCacheTTL
	case "session_ttl":
		return fc.SessionTTL
	case "magic_link_ttl":
		return fc.MagicLinkTTL
	case "sweep_every":
		return fc.SweepEvery
	case "digest_every":
		return fc.DigestEvery
	case "list_page_budget":
		return fc.ListPageBudget
	case "list_page_size":
		return fc.ListPageSize
	case "login_attempts":
		return fc.LoginAttempts
	case "grace_days":
		return fc.GraceDays
	}
	return ""
}

func envName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func apply(cfg *Config, get func(string) string) error {
	var errs []error
	dur := func(name string, dst *time.Duration) {
		if s := get(name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
				return
			}
			*dst = d
		}
	}
	num := func(name string, dst *int) {
		if s := get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
				return
			}
			*dst = n
		}
	}
	dur("listing_cache_ttl", &cfg.ListingCacheTTL)
	dur("session_ttl", &cfg.SessionTTL)
	dur("magic_link_ttl", &cfg.MagicLinkTTL)
	dur("sweep_every", &cfg.SweepEvery)
	dur("digest_every", &cfg.DigestEvery)
	num("list_page_budget", &cfg.ListPageBudget)
	num("list_page_size", &cfg.ListPageSize)
	num("login_attempts", &cfg.LoginAttempts)
	num("grace_days", &cfg.GraceDays)
	return errors.Join(errs...)
}
