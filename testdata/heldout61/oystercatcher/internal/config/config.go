// Package config loads the box-office service settings with koanf: a YAML
// file for the deployment, overridden by BOXOFFICE_* environment variables.
package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// Config is the whole service configuration.
type Config struct {
	Cloudflare  Cloudflare `koanf:"cloudflare"`
	Holds       Holds      `koanf:"holds"`
	Sessions    Sessions   `koanf:"sessions"`
	Cache       Cache      `koanf:"cache"`
	Scanner     Scanner    `koanf:"scanner"`
	Refunds     Refunds    `koanf:"refunds"`
	WaitRoom    WaitRoom   `koanf:"waitroom"`
	Listing     Listing    `koanf:"listing"`
	NATS        NATS       `koanf:"nats"`
	Kafka       Kafka      `koanf:"kafka"`
	HTTPAddr    string     `koanf:"http_addr"`
	GRPCAddr    string     `koanf:"grpc_addr"`
	DatabaseURL string     `koanf:"database_url"`
}

type Cloudflare struct {
	APIToken    string `koanf:"api_token"`
	AccountID   string `koanf:"account_id"`
	NamespaceID string `koanf:"namespace_id"`
	// SessionNamespaceID holds organiser sessions and magic links.
	SessionNamespaceID string `koanf:"session_namespace_id"`
}

type Holds struct {
	TTL          time.Duration `koanf:"ttl"`
	MaxExtension time.Duration `koanf:"max_extension"`
}

type Sessions struct {
	TTL          time.Duration `koanf:"ttl"`
	MagicLinkTTL time.Duration `koanf:"magic_link_ttl"`
	CookieName   string        `koanf:"cookie_name"`
}

type Cache struct {
	EventTTL   time.Duration `koanf:"event_ttl"`
	SeatMapTTL time.Duration `koanf:"seat_map_ttl"`
}

type Scanner struct {
	DailyQuota     int           `koanf:"daily_quota"`
	APIKeyCacheTTL time.Duration `koanf:"api_key_cache_ttl"`
	ReplayTTL      time.Duration `koanf:"replay_ttl"`
}

type Refunds struct {
	RetryWindow time.Duration `koanf:"retry_window"`
	MaxAttempts int           `koanf:"max_attempts"`
}

type WaitRoom struct {
	AdmitWindow time.Duration `koanf:"admit_window"`
	PollTTL     time.Duration `koanf:"poll_ttl"`
}

type Listing struct {
	PageSize int `koanf:"page_size"`
	MaxPages int `koanf:"max_pages"`
}

type NATS struct {
	URL           string `koanf:"url"`
	Stream        string `koanf:"stream"`
	AdmitConsumer string `koanf:"admit_consumer"`
}

type Kafka struct {
	Brokers []string `koanf:"brokers"`
	GroupID string   `koanf:"group_id"`
	Topics  []string `koanf:"topics"`
}

// Defaults are the values used when neither the file nor the environment
// sets a key.
func Defaults() Config {
	return Config{
		Holds:    Holds{TTL: 10 * time.Minute, MaxExtension: 5 * time.Minute},
		Sessions: Sessions{TTL: 12 * time.Hour, MagicLinkTTL: 15 * time.Minute, CookieName: "bo_session"},
		Cache:    Cache{EventTTL: 5 * time.Minute, SeatMapTTL: 20 * time.Second},
		Scanner:  Scanner{DailyQuota: 20000, APIKeyCacheTTL: 10 * time.Minute, ReplayTTL: 2 * time.Minute},
		Refunds:  Refunds{RetryWindow: 6 * time.Hour, MaxAttempts: 12},
		WaitRoom: WaitRoom{AdmitWindow: 3 * time.Minute, PollTTL: 30 * time.Second},
		Listing:  Listing{PageSize: 1000, MaxPages: 20},
		HTTPAddr: ":8080",
		GRPCAddr: ":9090",
	}
}

// Load reads path (if not empty) and the environment on top of Defaults.
func Load(path string) (Config, error) {
	k := koanf.New(".")
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
	}
	err := k.Load(env.Provider(".", env.Opt{
		Prefix: "BOXOFFICE_",
		TransformFunc: func(key, v string) (string, any) {
			key = strings.ToLower(strings.TrimPrefix(key, "BOXOFFICE_"))
			return strings.ReplaceAll(key, "__", "."), v
		},
	}), nil)
	if err != nil {
		return Config{}, fmt.Errorf("config: environment: %w", err)
	}
	cfg := Defaults()
	if err := k.Unmarshal("", &cfg); err != nil {
		return Config{}, fmt.Errorf("config: decode: %w", err)
	}
	return cfg, nil
}
