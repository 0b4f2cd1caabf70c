// Package conf loads service configuration from a JSON file and the
// environment. Environment variables win over the file.
package conf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Expiry is a lifetime as it appears in the config file.
type Expiry struct {
	TTLSeconds int `json:"ttl_seconds"`
}

// Or returns the configured lifetime, or fallback when none is set.
func (e Expiry) Or(fallback time.Duration) time.Duration {
	if e.TTLSeconds <= 0 {
		return fallback
	}
	return time.Duration(e.TTLSeconds) * time.Second
}

// Config is shared by both services; each reads the parts it needs.
type Config struct {
	Listen      string `json:"listen"`
	AccountID   string `json:"account_id"`
	NamespaceID string `json:"namespace_id"`
	APIToken    string `json:"-"`

	Sessions     Expiry `json:"sessions"`
	Invites      Expiry `json:"invites"`
	DeviceCodes  Expiry `json:"device_codes"`
	Rotation     Expiry `json:"rotation_grace"`
	Previews     Expiry `json:"previews"`
	AccessTokens Expiry `json:"access_tokens"`

	RateLimitPerMinute int      `json:"rate_limit_per_minute"`
	RequestTimeoutMS   int      `json:"request_timeout_ms"`
	PreviewDomain      string   `json:"preview_domain"`
	InviteDomains      []string `json:"invite_domains"`
}

// Load reads path (if it exists) and then applies the environment.
func Load(path string) (Config, error) {
	var c Config
	if path != "" {
		raw, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return Config{}, fmt.Errorf("conf: read %s: %w", path, err)
		default:
			if err := json.Unmarshal(raw, &c); err != nil {
				return Config{}, fmt.Errorf("conf: parse %s: %w", path, err)
			}
		}
	}
	applyEnv(&c)
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.AccountID == "" || c.NamespaceID == "" {
		return Config{}, errors.New("conf: account_id and namespace_id are required")
	}
	return c, nil
}

func applyEnv(c *Config) {
	if v, ok := os.LookupEnv("CLOUDFLARE_API_TOKEN"); ok {
		c.APIToken = v
	}
	if v, ok := os.LookupEnv("PETREL_ACCOUNT_ID"); ok {
		c.AccountID = v
	}
	if v, ok := os.LookupEnv("PETREL_NAMESPACE_ID"); ok {
		c.NamespaceID = v
	}
	c.Sessions.TTLSeconds = envInt("PETREL_SESSION_TTL_SECONDS", c.Sessions.TTLSeconds)
	c.RateLimitPerMinute = envInt("PETREL_RATE_LIMIT_PER_MINUTE", c.RateLimitPerMinute)
}

// envInt returns the integer in name, or fallback when unset or malformed.
func envInt(name string, fallback int) int {
	v, ok := os.LookupEnv(name)
	if !ok {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fallback
	}
	return n
}

func (c Config) SessionTTL() time.Duration { return c.Sessions.Or(12 * time.Hour) }

func (c Config) InviteTTL() time.Duration { return c.Invites.Or(7 * 24 * time.Hour) }

func (c Config) DeviceCodeTTL() time.Duration { return c.DeviceCodes.Or(15 * time.Minute) }

func (c Config) RotationGrace() time.Duration { return c.Rotation.Or(24 * time.Hour) }

func (c Config) PreviewLifetime() time.Duration { return c.Previews.Or(72 * time.Hour) }

func (c Config) AccessTokenTTL() time.Duration { return c.AccessTokens.Or(time.Hour) }

func (c Config) RequestTimeout() time.Duration {
	if c.RequestTimeoutMS <= 0 {
		return 15 * time.Second
	}
	return time.Duration(c.RequestTimeoutMS) * time.Millisecond
}

func (c Config) RateLimit() int {
	if c.RateLimitPerMinute <= 0 {
		return 600
	}
	return c.RateLimitPerMinute
}
