// Package config holds the hot-reloadable runtime configuration shared by the
// edge Worker and the backend. The current value lives in an atomic pointer and
// is loaded once per request, so a reload never tears a request in half.
package config

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

//go:embed defaults.json
var defaultsJSON []byte

// Seconds is a whole number of seconds as written in configuration files.
type Seconds int

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Duration accepts either a Go duration string ("90s", "20m") or a number of
// seconds in JSON.
type Duration struct{ time.Duration }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("config: duration %q: %w", s, err)
		}
		d.Duration = v
		return nil
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	d.Duration = time.Duration(n * float64(time.Second))
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Config is the full runtime configuration.
type Config struct {
	Version         int             `json:"version"`
	Prefix          string          `json:"prefix"`
	KeyScheme       string          `json:"key_scheme"`
	ExpiryPolicy    string          `json:"expiry_policy"`
	Encoder         string          `json:"encoder"`
	SessionTTL      Seconds         `json:"session_ttl"`
	SessionSliding  bool            `json:"session_sliding"`
	MagicLinkTTL    Seconds         `json:"magic_link_ttl"`
	InviteTTL       Seconds         `json:"invite_ttl"`
	LobbyIdle       Duration        `json:"lobby_idle"`
	TicketTTL       Duration        `json:"ticket_ttl"`
	LobbyPageSize   int             `json:"lobby_page_size"`
	RateWindow      Duration        `json:"rate_window"`
	RateLimit       int             `json:"rate_limit"`
	BanCacheTTL     Seconds         `json:"ban_cache_ttl"`
	RewardResetHour int             `json:"reward_reset_hour"`
	Features        map[string]bool `json:"features"`
}

// Enabled reports whether the named feature switch is on.
func (c *Config) Enabled(name string) bool { return c != nil && c.Features[name] }

var current atomic.Pointer[Config]

func init() {
	c, err := parse(nil)
	if err != nil {
		panic("config: embedded defaults: " + err.Error())
	}
	current.Store(c)
}

// parse decodes the embedded defaults and then overlays raw, if any.
func parse(raw []byte) (*Config, error) {
	c := new(Config)
	if err := json.Unmarshal(defaultsJSON, c); err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, err
		}
	}
	if c.LobbyPageSize <= 0 || c.LobbyPageSize > 1000 {
		c.LobbyPageSize = 50
	}
	return c, nil
}

// Load returns the configuration in force right now. Callers must not modify it.
func Load() *Config { return current.Load() }

// Reload replaces the configuration with defaults overlaid by raw.
func Reload(raw []byte) (*Config, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	prev := current.Swap(c)
	if prev != nil && c.Version < prev.Version {
		current.CompareAndSwap(c, prev)
		return prev, fmt.Errorf("config: refusing to downgrade from v%d to v%d", prev.Version, c.Version)
	}
	return c, nil
}
