// Package config loads the service configuration with viper. Every binary
// reads it once at startup and passes the typed sections down to the
// packages that need them.
package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Cloudflare holds the credentials and namespace IDs for Workers KV.
type Cloudflare struct {
	APIToken  string `mapstructure:"api_token"`
	AccountID string `mapstructure:"account_id"`
	// Portal holds sessions, reset codes and preferences; Cache holds
	// rendered invoices; Billing holds payment links, dunning and usage.
	PortalNamespace  string `mapstructure:"portal_namespace"`
	CacheNamespace   string `mapstructure:"cache_namespace"`
	BillingNamespace string `mapstructure:"billing_namespace"`
}

type Sessions struct {
	TTL         time.Duration `mapstructure:"ttl"`
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	CookieName  string        `mapstructure:"cookie_name"`
	CookieHost  string        `mapstructure:"cookie_host"`
}

type Reset struct {
	CodeTTL      time.Duration `mapstructure:"code_ttl"`
	MagicLinkTTL time.Duration `mapstructure:"magic_link_ttl"`
	Window       time.Duration `mapstructure:"window"`
	MaxPerWindow int           `mapstructure:"max_per_window"`
	LinkBaseURL  string        `mapstructure:"link_base_url"`
}

type Invoices struct {
	RenderTTL      time.Duration `mapstructure:"render_ttl"`
	LocalCacheSize int           `mapstructure:"local_cache_size"`
	LocalCacheTTL  time.Duration `mapstructure:"local_cache_ttl"`
	WarmParallel   int           `mapstructure:"warm_parallel"`
}

type Paylinks struct {
	GraceAfterDue time.Duration `mapstructure:"grace_after_due"`
	PublicBaseURL string        `mapstructure:"public_base_url"`
	WebhookSecret string        `mapstructure:"webhook_secret"`
}

type Dunning struct {
	Interval     time.Duration   `mapstructure:"interval"`
	LockTTL      time.Duration   `mapstructure:"lock_ttl"`
	StageOffsets []time.Duration `mapstructure:"stage_offsets"`
	StateTTL     time.Duration   `mapstructure:"state_ttl"`
}

type Usage struct {
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	DayRetention  time.Duration `mapstructure:"day_retention"`
	DailyQuota    int           `mapstructure:"daily_quota"`
}

type Database struct {
	Driver string `mapstructure:"driver"`
	DSN    string `mapstructure:"dsn"`
}

// Config is the whole configuration tree.
type Config struct {
	ListenAddr string `mapstructure:"listen_addr"`
	LogLevel   string `mapstructure:"log_level"`

	Cloudflare Cloudflare
	Database   Database
	Sessions   Sessions
	Reset      Reset
	Invoices   Invoices
	Paylinks   Paylinks
	Dunning    Dunning
	Usage      Usage
}

func setDefaults(v *viper.Viper) {
	v.SetDefault("listen_addr", ":8080")
	v.SetDefault("log_level", "info")
	v.SetDefault("database.driver", "pgx")

	v.SetDefault("sessions.ttl", "12h")
	v.SetDefault("sessions.idle_timeout", "30m")
	v.SetDefault("sessions.cookie_name", "lapwing_sid")

	v.SetDefault("reset.code_ttl", "30m")
	v.SetDefault("reset.magic_link_ttl", "15m")
	v.SetDefault("reset.window", "10m")
	v.SetDefault("reset.max_per_window", 5)

	v.SetDefault("invoices.render_ttl", "6h")
	v.SetDefault("invoices.local_cache_size", 2048)
	v.SetDefault("invoices.local_cache_ttl", "20s")
	v.SetDefault("invoices.warm_parallel", 8)

	v.SetDefault("paylinks.grace_after_due", "72h")

	v.SetDefault("dunning.interval", "1m")
	v.SetDefault("dunning.lock_ttl", "10m")
	v.SetDefault("dunning.stage_offsets", []string{"72h", "168h", "336h"})
	v.SetDefault("dunning.state_ttl", "2160h")

	v.SetDefault("usage.flush_interval", "10s")
	v.SetDefault("usage.day_retention", "840h")
	v.SetDefault("usage.daily_quota", 20000)
}

// Load reads the configuration file (if any) and LAPWING_* environment
// variables.
func Load(path string) (*Config, error) {
	v := viper.New()
	setDefaults(v)
	v.SetEnvPrefix("lapwing")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config: read %s: %w", path, err)
		}
	}

	var cfg Config
	if err := v.Unmarshal(&cfg); err != nil {
		return nil, fmt.Errorf("config: unmarshal: %w", err)
	}
	// Sections that ops override per environment are read by key so that an
	// env var such as LAPWING_INVOICES_RENDER_TTL wins over the file.
	for key, dst := range map[string]any{
		"sessions": &cfg.Sessions,
		"reset":    &cfg.Reset,
		"invoices": &cfg.Invoices,
		"paylinks": &cfg.Paylinks,
		"dunning":  &cfg.Dunning,
		"usage":    &cfg.Usage,
	} {
		if err := v.UnmarshalKey(key, dst); err != nil {
			return nil, fmt.Errorf("config: %s: %w", key, err)
		}
	}
	cfg.Usage.FlushInterval = v.GetDuration("usage.flush_interval")
	return &cfg, nil
}
