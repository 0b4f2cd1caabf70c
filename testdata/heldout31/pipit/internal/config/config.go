// Package config loads the service configuration from a JSON file and the
// environment.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Duration is a time.Duration that reads "90s"-style strings from JSON.
type Duration time.Duration

// Std returns the standard library value.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"90s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Cloudflare holds the account and namespaces the service uses.
type Cloudflare struct {
	AccountID     string   `json:"account_id"`
	APIToken      string   `json:"-"`
	MainNamespace string   `json:"main_namespace"`
	EdgeNamespace string   `json:"edge_namespace"`
	KeyPrefix     string   `json:"key_prefix"`
	MaxRetries    int      `json:"max_retries"`
	RetryBackoff  Duration `json:"retry_backoff"`
}

// RateLimit configures request throttling.
type RateLimit struct {
	Backend string   `json:"backend"` // "memory" or "kv"
	Limit   int      `json:"limit"`
	Window  Duration `json:"window"`
}

// OAuth describes one client-credentials upstream.
type OAuth struct {
	TokenURL     string `json:"token_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"-"`
}

// Upstreams are the external systems the service calls.
type Upstreams struct {
	PMS        string `json:"pms"`           // property management system API
	LockVendor string `json:"lock_vendor"`   // door lock cloud API
	TokenInfo  string `json:"token_info"`    // guest identity provider's token introspection
	CRM        string `json:"crm"`           // guest profiles
	Miles      string `json:"partner_miles"` // partner airline credit endpoint
}

// Config is the whole service configuration.
type Config struct {
	Addr            string     `json:"addr"`
	Cloudflare      Cloudflare `json:"cloudflare"`
	RateLimit       RateLimit  `json:"rate_limit"`
	SessionIdle     Duration   `json:"session_idle"`
	PresenceTTL     Duration   `json:"presence_ttl"`
	PresenceEvery   Duration   `json:"presence_every"`
	ProfileCacheTTL Duration   `json:"profile_cache_ttl"`
	ChannelManager  OAuth      `json:"channel_manager"`
	PartnerAirline  OAuth      `json:"partner_airline"`
	Upstreams       Upstreams  `json:"upstreams"`
	Properties      []string   `json:"properties"`
	LogLevel        string     `json:"log_level"`
}

// Default returns the configuration used when the file leaves a field out.
func Default() Config {
	return Config{
		Addr:            ":8080",
		Cloudflare:      Cloudflare{KeyPrefix: "pipit:", MaxRetries: 3, RetryBackoff: Duration(time.Second)},
		RateLimit:       RateLimit{Backend: "memory", Limit: 120, Window: Duration(time.Minute)},
		SessionIdle:     Duration(30 * time.Minute),
		PresenceTTL:     Duration(90 * time.Second),
		PresenceEvery:   Duration(20 * time.Second),
		ProfileCacheTTL: Duration(6 * time.Hour),
		LogLevel:        "info",
	}
}

// Load reads path over the defaults and takes secrets from the environment.
func Load(path string) (Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &cfg)
		}
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", path, err)
		}
	}
	cfg.Cloudflare.APIToken = os.Getenv("CLOUDFLARE_API_TOKEN")
	cfg.ChannelManager.ClientSecret = os.Getenv("CHANNEL_MANAGER_SECRET")
	cfg.PartnerAirline.ClientSecret = os.Getenv("PARTNER_AIRLINE_SECRET")
	if v := os.Getenv("PIPIT_ADDR"); v != "" {
		cfg.Addr = v
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	if c.Cloudflare.AccountID == "" || c.Cloudflare.MainNamespace == "" || c.Cloudflare.EdgeNamespace == "" {
		return fmt.Errorf("cloudflare account_id, main_namespace and edge_namespace are required")
	}
	return nil
}
