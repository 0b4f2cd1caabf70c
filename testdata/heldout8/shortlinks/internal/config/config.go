// Package config holds the worker's runtime configuration. It is loaded once
// per isolate from the environment bindings declared in wrangler.toml.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Config is the root configuration handed to every service at wiring time.
type Config struct {
	Redirect  RedirectConfig
	Auth      AuthConfig
	RateLimit RateLimitConfig
	Admin     AdminConfig
	Import    ImportConfig
	QR        QRConfig
}

type RedirectConfig struct {
	// CacheTTL bounds how long a resolved slug stays in the redirect cache.
	CacheTTL time.Duration
	// EdgeCacheTTL is passed as cacheTtl on hot reads.
	EdgeCacheTTL time.Duration
	// PublicHost is used when rendering short URLs.
	PublicHost string
}

type AuthConfig struct {
	SessionTTL   time.Duration
	MagicLinkTTL time.Duration
	CookieName   string
	MailFrom     string
}

type RateLimitConfig struct {
	Window    time.Duration
	PerWindow int
}

type AdminConfig struct {
	PageSize int
	MaxPages int
	Token    string
}

type ImportConfig struct {
	Workers   int
	MaxRows   int
	StatusTTL time.Duration
}

type QRConfig struct {
	CacheTTL time.Duration
	Size     int
}

// Default returns the configuration used in production unless overridden.
func Default() Config {
	return Config{
		Redirect: RedirectConfig{
			CacheTTL:     10 * time.Minute,
			EdgeCacheTTL: 2 * time.Minute,
			PublicHost:   "https://sho.rt",
		},
		Auth: AuthConfig{
			SessionTTL:   14 * 24 * time.Hour,
			MagicLinkTTL: 45 * time.Second, // EXPECT kvttl
			CookieName:   "sl_session",
			MailFrom:     "login@sho.rt",
		},
		RateLimit: RateLimitConfig{
			Window:    time.Minute,
			PerWindow: 120,
		},
		Admin: AdminConfig{
			PageSize: 2500, // EXPECT kvlimits
			MaxPages: 20,
		},
		Import: ImportConfig{
			Workers:   8,
			MaxRows:   5000,
			StatusTTL: 24 * time.Hour,
		},
		QR: QRConfig{
			CacheTTL: 30 * 24 * time.Hour,
			Size:     256,
		},
	}
}

// Load starts from Default and applies the overrides found in the
// environment. getenv is cloudflare.Getenv in the worker and a map lookup in
// tests.
func Load(getenv func(string) string) (Config, error) {
	cfg := Default()
	var errs []error
	duration := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				return
			}
			*dst = d
		}
	}
	positive := func(name string, dst *int) {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, fmt.Errorf("%s: invalid value %q", name, v))
				return
			}
			*dst = n
		}
	}
	duration("SESSION_TTL", &cfg.Auth.SessionTTL)
	duration("RATE_LIMIT_WINDOW", &cfg.RateLimit.Window)
	positive("RATE_LIMIT_PER_WINDOW", &cfg.RateLimit.PerWindow)
	positive("IMPORT_WORKERS", &cfg.Import.Workers)
	if v := getenv("PUBLIC_HOST"); v != "" {
		cfg.Redirect.PublicHost = v
	}
	cfg.Admin.Token = getenv("ADMIN_TOKEN")
	return cfg, errors.Join(errs...)
}
