// Package config holds the hot-reloadable runtime configuration shared by the
// edge Worker and the clinic backend. The active configuration is swapped
// atomically; request paths call Current() once and read from the snapshot.
package config

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

//go:embed defaults.json
var defaultsJSON []byte

// Seconds is a whole number of seconds as it appears in JSON configuration.
type Seconds int

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Duration accepts either a Go duration string ("15m") or a number of seconds.
type Duration struct{ time.Duration }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		v, err := time.ParseDuration(unq)
		if err != nil {
			return fmt.Errorf("config: duration %q: %w", unq, err)
		}
		d.Duration = v
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("config: duration %s: %w", s, err)
	}
	d.Duration = time.Duration(n) * time.Second
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

type SessionConfig struct {
	TTL     Duration `json:"ttl"`
	Sliding bool     `json:"sliding"`
	Prefix  string   `json:"prefix"`
	Scheme  string   `json:"scheme"`
}

type SMSConfig struct {
	CodeTTL     Seconds  `json:"code_ttl"`
	MaxAttempts int      `json:"max_attempts"`
	Cooldown    Duration `json:"cooldown"`
}

type SlotConfig struct {
	HoldTTL Duration `json:"hold_ttl"`
	Policy  string   `json:"policy"`
	Lead    Duration `json:"lead"`
}

type RefillConfig struct {
	Encoder   string   `json:"encoder"`
	StatusTTL Duration `json:"status_ttl"`
}

type QuotaConfig struct {
	DailyLimit int      `json:"daily_limit"`
	Window     Duration `json:"window"`
}

type FormularyConfig struct {
	EdgeCache Duration `json:"edge_cache"`
	EntryTTL  Seconds  `json:"entry_ttl"`
	Origin    string   `json:"origin"`
}

type AuditConfig struct {
	MaxPages          int      `json:"max_pages"`
	PageSize          int      `json:"page_size"`
	IdleSessionCutoff Duration `json:"idle_session_cutoff"`
}

type Features struct {
	HoldBySlotStart bool `json:"hold_by_slot_start"`
	CSRFTokens      bool `json:"csrf_tokens"`
	ViewTracking    bool `json:"view_tracking"`
}

// Config is one immutable snapshot of the service configuration.
type Config struct {
	Sessions  SessionConfig   `json:"sessions"`
	SMS       SMSConfig       `json:"sms"`
	Slots     SlotConfig      `json:"slots"`
	Refills   RefillConfig    `json:"refills"`
	Quota     QuotaConfig     `json:"quota"`
	Formulary FormularyConfig `json:"formulary"`
	Audit     AuditConfig     `json:"audit"`
	Features  Features        `json:"features"`

	LoadedAt time.Time `json:"-"`
	Source   string    `json:"-"`
}

var current atomic.Pointer[Config]

func init() {
	c, err := Parse(defaultsJSON, nil)
	if err != nil {
		panic("config: embedded defaults: " + err.Error())
	}
	c.Source = "embedded"
	current.Store(c)
}

// Current returns the active snapshot. It never returns nil.
func Current() *Config { return current.Load() }

// Parse decodes raw on top of base (or the embedded defaults when base is nil).
func Parse(raw []byte, base *Config) (*Config, error) {
	var c Config
	if base != nil {
		c = *base
	} else if err := json.Unmarshal(defaultsJSON, &c); err != nil {
		return nil, err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	c.LoadedAt = time.Now()
	return &c, nil
}

// Reload parses raw over the current snapshot and publishes the result.
func Reload(raw []byte, source string) (*Config, error) {
	c, err := Parse(raw, Current())
	if err != nil {
		return nil, err
	}
	c.Source = source
	current.Store(c)
	return c, nil
}

// Stale reports whether the active snapshot is older than maxAge.
func Stale(maxAge time.Duration) bool {
	return time.Since(Current().LoadedAt) > maxAge
}
