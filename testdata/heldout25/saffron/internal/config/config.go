// Package config holds the service configuration. A Config is built with
// Default, optionally overlaid from the environment, and published through
// Current so running components pick up changes at their next use.
package config

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// TTLPolicy is how long one class of cached record lives in KV and at the edge.
type TTLPolicy struct {
	TTL       time.Duration
	EdgeCache time.Duration
}

// CacheConfig groups the cache policies.
type CacheConfig struct {
	Sessions TTLPolicy
	Menu     TTLPolicy
	Venues   TTLPolicy
	Slots    TTLPolicy
	Holds    TTLPolicy
}

// Window is a fixed-window limit.
type Window struct {
	Window time.Duration
	Max    int
}

// LimitsConfig groups request limits.
type LimitsConfig struct {
	Login   Window
	SMS     Window
	Booking Window
}

// CodesConfig configures SMS confirmation codes.
type CodesConfig struct {
	Length      int
	TTL         time.Duration
	MaxAttempts int
}

// ReportsConfig configures the nightly reports.
type ReportsConfig struct {
	Prefix   string
	PageSize int
	MaxPages int
	Deadline time.Duration
}

// SyncConfig configures the backend sync loops.
type SyncConfig struct {
	Interval  time.Duration
	LeaseTTL  time.Duration
	BatchSize int
	AccountID string
	Namespace string
}

// Config is the whole service configuration.
type Config struct {
	Cache   CacheConfig
	Limits  LimitsConfig
	Codes   CodesConfig
	Reports ReportsConfig
	Sync    SyncConfig
}

// Default returns the production defaults.
func Default() Config {
	return Config{
		Cache: CacheConfig{
			Sessions: TTLPolicy{TTL: 45 * time.Second}, // EXPECT kvttl
			Menu:     TTLPolicy{TTL: 6 * time.Hour, EdgeCache: 5 * time.Minute},
			Venues:   TTLPolicy{TTL: 24 * time.Hour, EdgeCache: 10 * time.Minute},
			Slots:    TTLPolicy{TTL: 36 * time.Hour, EdgeCache: 30 * time.Second},
			Holds:    TTLPolicy{TTL: 10 * time.Minute},
		},
		Limits: LimitsConfig{
			Login:   Window{Window: time.Minute, Max: 10},
			SMS:     Window{Window: 10 * time.Minute, Max: 3},
			Booking: Window{Window: time.Hour, Max: 20},
		},
		Codes: CodesConfig{Length: 6, TTL: 10 * time.Minute, MaxAttempts: 5},
		Reports: ReportsConfig{
			Prefix:   "resv:",
			PageSize: 5000, // EXPECT kvlimits
			MaxPages: 50,
			Deadline: 20 * time.Second,
		},
		Sync: SyncConfig{
			Interval:  5 * time.Minute,
			LeaseTTL:  2 * time.Minute,
			BatchSize: 500,
		},
	}
}

// WithDefaults fills every zero field of c from Default.
func (c Config) WithDefaults() Config {
	d := Default()
	c.Cache.Sessions = c.Cache.Sessions.merge(d.Cache.Sessions)
	c.Cache.Menu = c.Cache.Menu.merge(d.Cache.Menu)
	c.Cache.Venues = c.Cache.Venues.merge(d.Cache.Venues)
	c.Cache.Slots = c.Cache.Slots.merge(d.Cache.Slots)
	c.Cache.Holds = c.Cache.Holds.merge(d.Cache.Holds)
	c.Limits.Login = c.Limits.Login.merge(d.Limits.Login)
	c.Limits.SMS = c.Limits.SMS.merge(d.Limits.SMS)
	c.Limits.Booking = c.Limits.Booking.merge(d.Limits.Booking)
	if c.Codes.Length == 0 {
		c.Codes.Length = d.Codes.Length
	}
	if c.Codes.TTL == 0 {
		c.Codes.TTL = d.Codes.TTL
	}
	if c.Codes.MaxAttempts == 0 {
		c.Codes.MaxAttempts = d.Codes.MaxAttempts
	}
	if c.Reports.Prefix == "" {
		c.Reports.Prefix = d.Reports.Prefix
	}
	if c.Reports.PageSize == 0 {
		c.Reports.PageSize = d.Reports.PageSize
	}
	if c.Reports.MaxPages == 0 {
		c.Reports.MaxPages = d.Reports.MaxPages
	}
	if c.Reports.Deadline == 0 {
		c.Reports.Deadline = d.Reports.Deadline
	}
	if c.Sync.Interval == 0 {
		c.Sync.Interval = d.Sync.Interval
	}
	if c.Sync.LeaseTTL == 0 {
		c.Sync.LeaseTTL = d.Sync.LeaseTTL
	}
	if c.Sync.BatchSize == 0 {
		c.Sync.BatchSize = d.Sync.BatchSize
	}
	return c
}

func (p TTLPolicy) merge(d TTLPolicy) TTLPolicy {
	if p.TTL == 0 {
		p.TTL = d.TTL
	}
	if p.EdgeCache == 0 {
		p.EdgeCache = d.EdgeCache
	}
	return p
}

func (w Window) merge(d Window) Window {
	if w.Window == 0 {
		w.Window = d.Window
	}
	if w.Max == 0 {
		w.Max = d.Max
	}
	return w
}

// FromEnv overlays SAFFRON_* environment variables on c.
func (c Config) FromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv("SAFFRON_ACCOUNT_ID"); v != "" {
		c.Sync.AccountID = v
	}
	if v := getenv("SAFFRON_NAMESPACE_ID"); v != "" {
		c.Sync.Namespace = v
	}
	if v := getenv("SAFFRON_SYNC_INTERVAL_SECONDS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			c.Sync.Interval = time.Duration(n) * time.Second
		}
	}
	if v := getenv("SAFFRON_MENU_TTL_SECONDS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			c.Cache.Menu.TTL = time.Duration(n) * time.Second
		}
	}
	return c
}

var current atomic.Pointer[Config]

func init() {
	d := Default()
	current.Store(&d)
}

// Current returns the live configuration. Callers should not keep the pointer
// across requests.
func Current() *Config { return current.Load() }

// Publish swaps in a new configuration.
func Publish(c Config) {
	c = c.WithDefaults()
	current.Store(&c)
}
