// Package config loads flagship's configuration: a JSON file, then FLAGSHIP_*
// environment variables, then command-line flags.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Duration is a time.Duration that reads "90s" or "5m" from JSON.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	v, err := time.ParseDuration(s)
	d.Duration = v
	return err
}

// Namespaces holds the KV namespace IDs.
type Namespaces struct {
	Flags    string            `json:"flags"`
	Sessions string            `json:"sessions"`
	Keys     string            `json:"keys"`
	Audit    string            `json:"audit"`
	Usage    string            `json:"usage"`
	Env      map[string]string `json:"env"` // environment name -> edge namespace
}

// Config is the whole configuration tree.
type Config struct {
	AccountID  string     `json:"account_id"`
	APIToken   string     `json:"-"`
	Listen     string     `json:"listen"`
	Upstream   string     `json:"upstream"`
	Namespaces Namespaces `json:"namespaces"`

	SessionTTL     Duration `json:"session_ttl"`
	InviteTTL      Duration `json:"invite_ttl"`
	PollInterval   Duration `json:"poll_interval"`
	FlushEvery     Duration `json:"flush_every"`
	LockTTL        Duration `json:"lock_ttl"`
	RequestTimeout Duration `json:"request_timeout"`
	ExportDeadline Duration `json:"export_deadline"`

	Workers        int `json:"workers"`
	RatePerMinute  int `json:"rate_per_minute"`
	MaxExportPages int `json:"max_export_pages"`
	MonthlyQuota   int `json:"monthly_quota"`
}

// Defaults returns the configuration used when nothing else is set.
func Defaults() Config {
	return Config{
		Listen:         ":8080",
		SessionTTL:     Duration{8 * time.Hour},
		InviteTTL:      Duration{48 * time.Hour},
		PollInterval:   Duration{15 * time.Second},
		FlushEvery:     Duration{time.Minute},
		LockTTL:        Duration{2 * time.Minute},
		RequestTimeout: Duration{10 * time.Second},
		ExportDeadline: Duration{10 * time.Minute},
		Workers:        4,
		RatePerMinute:  600,
		MaxExportPages: 50,
		MonthlyQuota:   1_000_000,
		Namespaces:     Namespaces{Env: map[string]string{}},
	}
}

// ErrMissingAccount is returned when no Cloudflare account is configured.
var ErrMissingAccount = errors.New("config: account_id is required")

// Load reads path (if non-empty), applies the environment, then parses args.
func Load(path string, args []string) (*Config, error) {
	cfg := Defaults()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	cfg.APIToken = os.Getenv("CLOUDFLARE_API_TOKEN")
	if v := os.Getenv("FLAGSHIP_ACCOUNT_ID"); v != "" {
		cfg.AccountID = v
	}
	if d, err := time.ParseDuration(os.Getenv("FLAGSHIP_POLL_INTERVAL")); err == nil {
		cfg.PollInterval.Duration = d
	}
	for _, pair := range strings.Split(os.Getenv("FLAGSHIP_ENV_NAMESPACES"), ",") {
		if name, id, ok := strings.Cut(strings.TrimSpace(pair), "="); ok {
			cfg.Namespaces.Env[name] = id // staging=abc123,production=def456
		}
	}

	fs := flag.NewFlagSet("flagship", flag.ContinueOnError)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "HTTP listen address")
	fs.StringVar(&cfg.AccountID, "account", cfg.AccountID, "Cloudflare account ID")
	fs.DurationVar(&cfg.PollInterval.Duration, "poll", cfg.PollInterval.Duration, "upstream poll interval")
	fs.DurationVar(&cfg.SessionTTL.Duration, "session-ttl", cfg.SessionTTL.Duration, "console session lifetime")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "sync worker count")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if cfg.AccountID == "" {
		return nil, ErrMissingAccount
	}
	return &cfg, nil
}

// EnvNamespace returns the namespace ID for an environment.
func (c *Config) EnvNamespace(env string) (string, error) {
	if id := c.Namespaces.Env[env]; id != "" {
		return id, nil
	}
	return "", fmt.Errorf("config: no namespace for environment %q", env)
}
