// Package config holds the settings the worker reads at start-up. Values come
// from Default and may be overridden by Worker environment variables.
package config

import (
	"fmt"
	"time"
)

// Config is the root configuration passed to the composition root.
type Config struct {
	Namespaces Namespaces
	Sessions   Sessions
	Signup     Signup
	Tracking   Tracking
	Archive    Archive
	Sender     Sender
	RateLimit  RateLimit
}

// Namespaces names the KV bindings declared in wrangler.jsonc.
type Namespaces struct {
	Main     string
	Sessions string
	Stats    string
}

// Sessions configures editor logins.
type Sessions struct {
	TTL        time.Duration
	CookieName string
}

// Signup configures double opt-in.
type Signup struct {
	CodeTTL        time.Duration
	ResendCooldown time.Duration
	ExportPages    int
}

// Tracking configures the open pixel and click redirector.
type Tracking struct {
	// ClickMemory is how long we remember the last link a reader clicked,
	// so the "continue reading" banner can point back to it.
	ClickMemory time.Duration
}

// Archive configures the public archive.
type Archive struct {
	PageSize       int
	RenderCacheTTL time.Duration
	FeedItems      int
}

// Sender configures the cron-driven campaign sender.
type Sender struct {
	BatchSize int
	Workers   int
}

// RateLimit configures the public sign-up limiter.
type RateLimit struct {
	Window time.Duration
	Max    int
}

// Default returns the production defaults.
func Default() Config {
	return Config{
		Namespaces: Namespaces{
			Main:     "PRESSROOM",
			Sessions: "EDITOR_SESSIONS",
			Stats:    "STATS",
		},
		Sessions: Sessions{
			TTL:        12 * time.Hour,
			CookieName: "pr_session",
		},
		Signup: Signup{
			CodeTTL:        48 * time.Hour,
			ResendCooldown: 2 * time.Minute,
			ExportPages:    20,
		},
		Tracking: Tracking{
			ClickMemory: 20 * time.Second, // EXPECT kvttl
		},
		Archive: Archive{
			PageSize:       1500, // EXPECT kvlimits
			RenderCacheTTL: 10 * time.Minute,
			FeedItems:      50,
		},
		Sender: Sender{
			BatchSize: 200,
			Workers:   4,
		},
		RateLimit: RateLimit{
			Window: time.Minute,
			Max:    5,
		},
	}
}

// FromEnv starts from Default and applies the overrides that operations are
// allowed to change without a deploy.
func FromEnv(getenv func(string) string) (Config, error) {
	cfg := Default()
	var err error
	if cfg.Sessions.TTL, err = duration(getenv, "SESSION_TTL", cfg.Sessions.TTL); err != nil {
		return cfg, err
	}
	if cfg.Signup.CodeTTL, err = duration(getenv, "OPTIN_CODE_TTL", cfg.Signup.CodeTTL); err != nil {
		return cfg, err
	}
	if name := getenv("SESSION_COOKIE"); name != "" {
		cfg.Sessions.CookieName = name
	}
	return cfg, nil
}

func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	raw := getenv(name)
	if raw == "" {
		return def, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return def, fmt.Errorf("config: %s: %w", name, err)
	}
	if d < time.Minute {
		return def, fmt.Errorf("config: %s must be at least 1m, got %s", name, d)
	}
	return d, nil
}
