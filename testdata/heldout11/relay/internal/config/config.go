// Package config loads relay's settings from a JSON file, the environment and
// command-line flags, in that order of precedence (flags win).
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// Duration is a time.Duration that reads "90s" / "15m" from JSON.
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	v, err := time.ParseDuration(s)
	d.Duration = v
	return err
}

// Namespaces holds the Workers KV namespace IDs relay writes to.
type Namespaces struct {
	Main       string `json:"main"`
	Sessions   string `json:"sessions"`
	Cache      string `json:"cache"`
	Moderation string `json:"moderation"`
}

// Config is the whole of relay's runtime configuration.
type Config struct {
	AccountID  string     `json:"account_id"`
	APIToken   string     `json:"-"`
	APIBase    string     `json:"api_base"`
	Namespaces Namespaces `json:"namespaces"`
	Listen     string     `json:"listen"`

	SessionTTL       Duration `json:"session_ttl"`
	DeviceTokenTTL   Duration `json:"device_token_ttl"`
	InviteTTL        Duration `json:"invite_ttl"`
	PresenceInterval Duration `json:"presence_interval"`
	PreviewTTL       Duration `json:"preview_ttl"`
	RateLimitWindow  Duration `json:"rate_limit_window"`
	RateLimitMax     int      `json:"rate_limit_max"`

	FanoutWorkers        int      `json:"fanout_workers"`
	FanoutTimeout        Duration `json:"fanout_timeout"`
	CompactionPageBudget int      `json:"compaction_page_budget"`
	ExportPageSize       int      `json:"export_page_size"`
}

// Defaults returns the settings used when nothing else says otherwise.
func Defaults() Config {
	return Config{
		APIBase:              "https://api.cloudflare.com/client/v4",
		Listen:               ":8080",
		SessionTTL:           Duration{14 * 24 * time.Hour},
		DeviceTokenTTL:       Duration{90 * 24 * time.Hour},
		InviteTTL:            Duration{7 * 24 * time.Hour},
		PresenceInterval:     Duration{20 * time.Second},
		PreviewTTL:           Duration{6 * time.Hour},
		RateLimitWindow:      Duration{time.Minute},
		RateLimitMax:         120,
		FanoutWorkers:        8,
		FanoutTimeout:        Duration{10 * time.Second},
		CompactionPageBudget: 200,
		ExportPageSize:       500,
	}
}

// ErrMissing reports a required setting that was not provided.
var ErrMissing = errors.New("config: missing required setting")

// Load reads path (if non-empty), then RELAY_* environment variables, then
// args, on top of Defaults.
func Load(path string, args []string) (Config, error) {
	cfg := Defaults()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, err
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg); err != nil {
		return cfg, err
	}
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "HTTP listen address")
	fs.DurationVar(&cfg.SessionTTL.Duration, "session-ttl", cfg.SessionTTL.Duration, "login session lifetime")
	fs.DurationVar(&cfg.PresenceInterval.Duration, "presence-interval", cfg.PresenceInterval.Duration, "client heartbeat interval")
	fs.IntVar(&cfg.FanoutWorkers, "fanout-workers", cfg.FanoutWorkers, "fan-out worker goroutines")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.AccountID == "" || cfg.Namespaces.Main == "" {
		return cfg, fmt.Errorf("%w: account_id and namespaces.main", ErrMissing)
	}
	for _, ns := range []*string{&cfg.Namespaces.Sessions, &cfg.Namespaces.Cache, &cfg.Namespaces.Moderation} {
		if *ns == "" {
			*ns = cfg.Namespaces.Main
		}
	}
	return cfg, nil
}

func applyEnv(cfg *Config) error {
	for name, dst := range map[string]*string{
		"RELAY_ACCOUNT_ID":     &cfg.AccountID,
		"CLOUDFLARE_API_TOKEN": &cfg.APIToken,
		"RELAY_KV_MAIN":        &cfg.Namespaces.Main,
		"RELAY_KV_SESSIONS":    &cfg.Namespaces.Sessions,
		"RELAY_KV_CACHE":       &cfg.Namespaces.Cache,
	} {
		if v := os.Getenv(name); v != "" {
			*dst = v
		}
	}
	for name, dst := range map[string]*Duration{
		"RELAY_SESSION_TTL":       &cfg.SessionTTL,
		"RELAY_PRESENCE_INTERVAL": &cfg.PresenceInterval,
		"RELAY_PREVIEW_TTL":       &cfg.PreviewTTL,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			dst.Duration = d
		}
	}
	return nil
}
