// Package config loads quarry's runtime configuration from the environment.
//
// Every knob has a default that is safe for local development; production
// deployments set the QUARRY_* variables through the service manifest.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Namespaces holds the Workers KV namespace IDs the service writes to. They are
// split by data lifetime so that a bulk purge of one class cannot touch another.
type Namespaces struct {
	Builds    string // job records, build numbers, logs
	Artifacts string // artifact metadata and tag indexes
	Auth      string // sessions, developer tokens, OAuth state
	Cache     string // dependency resolution cache
	Legacy    string // quota ledger written by the v1 uploader
}

// Limits groups request-shaping settings.
type Limits struct {
	RateWindow     time.Duration // window for the per-token API limiter
	RatePerWindow  int           // requests allowed per window
	MaxUploadBytes int64
}

// Config is the fully-resolved service configuration.
type Config struct {
	AccountID   string
	APIToken    string
	ListenAddr  string
	PublicURL   string
	Namespaces  Namespaces
	Limits      Limits
	SessionTTL  time.Duration
	TokenTTL    time.Duration
	CacheTTL    time.Duration
	LogTTL      time.Duration
	Retention   time.Duration // how long finished build records are kept
	FlushEvery  time.Duration // metrics flush period
	OAuth       OAuth
	JanitorJobs []string
}

// OAuth configures the GitHub/GitLab login flow.
type OAuth struct {
	ClientID     string
	ClientSecret string
	AuthorizeURL string
	TokenURL     string
	RedirectURL  string
}

// ErrMissing is returned (joined) for each required variable that is unset.
type ErrMissing struct{ Var string }

func (e *ErrMissing) Error() string { return "config: missing required variable " + e.Var }

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration using the given lookup function, which makes
// it easy to feed a map in tests.
func LoadFrom(getenv func(string) string) (*Config, error) {
	var errs []error
	req := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			errs = append(errs, &ErrMissing{Var: name})
		}
		return v
	}
	dur := func(name string, def time.Duration) time.Duration {
		raw := getenv(name)
		if raw == "" {
			return def
		}
		d, err := time.ParseDuration(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
			return def
		}
		return d
	}
	num := func(name string, def int) int {
		raw := getenv(name)
		if raw == "" {
			return def
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
			return def
		}
		return n
	}

	cfg := &Config{
		AccountID:  req("QUARRY_CF_ACCOUNT_ID"),
		APIToken:   req("QUARRY_CF_API_TOKEN"),
		ListenAddr: or(getenv("QUARRY_LISTEN"), ":8080"),
		PublicURL:  or(getenv("QUARRY_PUBLIC_URL"), "http://localhost:8080"),
		Namespaces: Namespaces{
			Builds:    req("QUARRY_KV_BUILDS"),
			Artifacts: req("QUARRY_KV_ARTIFACTS"),
			Auth:      req("QUARRY_KV_AUTH"),
			Cache:     req("QUARRY_KV_CACHE"),
			Legacy:    or(getenv("QUARRY_KV_LEGACY"), getenv("QUARRY_KV_BUILDS")),
		},
		Limits: Limits{
			RateWindow:     dur("QUARRY_RATE_WINDOW", 10*time.Second),
			RatePerWindow:  num("QUARRY_RATE_PER_WINDOW", 50),
			MaxUploadBytes: int64(num("QUARRY_MAX_UPLOAD_MB", 512)) << 20,
		},
		SessionTTL: dur("QUARRY_SESSION_TTL", 12*time.Hour),
		TokenTTL:   dur("QUARRY_TOKEN_TTL", 90*24*time.Hour),
		CacheTTL:   dur("QUARRY_CACHE_TTL", 6*time.Hour),
		LogTTL:     dur("QUARRY_LOG_TTL", 14*24*time.Hour),
		Retention:  dur("QUARRY_RETENTION", 30*24*time.Hour),
		FlushEvery: dur("QUARRY_FLUSH_EVERY", 30*time.Second),
		OAuth: OAuth{
			ClientID:     getenv("QUARRY_OAUTH_CLIENT_ID"),
			ClientSecret: getenv("QUARRY_OAUTH_CLIENT_SECRET"),
			AuthorizeURL: or(getenv("QUARRY_OAUTH_AUTHORIZE_URL"), "https://github.com/login/oauth/authorize"),
			TokenURL:     or(getenv("QUARRY_OAUTH_TOKEN_URL"), "https://github.com/login/oauth/access_token"),
			RedirectURL:  getenv("QUARRY_OAUTH_REDIRECT_URL"),
		},
		JanitorJobs: splitList(or(getenv("QUARRY_JANITOR_JOBS"), "prune-cache,compact-logs,sweep-receipts")),
	}
	if cfg.OAuth.RedirectURL == "" {
		cfg.OAuth.RedirectURL = strings.TrimRight(cfg.PublicURL, "/") + "/auth/callback"
	}
	if cfg.Limits.RatePerWindow <= 0 {
		errs = append(errs, errors.New("config: QUARRY_RATE_PER_WINDOW must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}
