// Package config holds the platform's tunables. Components copy the section
// they need by value at construction time; values that operators change at
// run time are read through a Holder instead.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Config is the root configuration.
type Config struct {
	Cache   CacheConfig   `json:"cache"`
	Limits  LimitsConfig  `json:"limits"`
	Queue   QueueConfig   `json:"queue"`
	Holds   HoldsConfig   `json:"holds"`
	Checkin CheckinConfig `json:"checkin"`
	Jobs    JobsConfig    `json:"jobs"`
	KV      KVConfig      `json:"kv"`
}

// CacheConfig groups the TTLs of cached projections.
type CacheConfig struct {
	Sessions SessionCache `json:"sessions"`
	SeatMaps EntryCache   `json:"seat_maps"`
	Events   EntryCache   `json:"events"`
}

// SessionCache controls organizer sessions.
type SessionCache struct {
	TTL        time.Duration `json:"ttl"`
	IdleBumpAt time.Duration `json:"idle_bump_at"`
}

// EntryCache is a generic cached-entry policy.
type EntryCache struct {
	TTL      time.Duration `json:"ttl"`
	CacheTTL time.Duration `json:"cache_ttl"`
}

// LimitsConfig groups request limits.
type LimitsConfig struct {
	Login   Window `json:"login"`
	Webhook Window `json:"webhook"`
}

// Window is a fixed-window limit.
type Window struct {
	Max    int           `json:"max"`
	Window time.Duration `json:"window"`
}

// QueueConfig tunes the waiting room.
type QueueConfig struct {
	PositionTTL time.Duration `json:"position_ttl"`
	AdmitBatch  int           `json:"admit_batch"`
	Tick        time.Duration `json:"tick"`
}

// HoldsConfig tunes ticket holds during checkout.
type HoldsConfig struct {
	Duration  time.Duration `json:"duration"`
	MaxPerBuy int           `json:"max_per_buy"`
}

// CheckinConfig tunes door scanning.
type CheckinConfig struct {
	CodeTTL   time.Duration `json:"code_ttl"`
	Grace     time.Duration `json:"grace"`
	GateNames []string      `json:"gate_names"`
}

// JobsConfig tunes the background jobs.
type JobsConfig struct {
	Sweep  SweepConfig   `json:"sweep"`
	Lease  time.Duration `json:"lease"`
	Export time.Duration `json:"export"`
}

// SweepConfig tunes the expired-hold sweeper.
type SweepConfig struct {
	Interval time.Duration `json:"interval"`
	PageSize int           `json:"page_size"`
	MaxPages int           `json:"max_pages"`
}

// KVConfig identifies the backend namespace.
type KVConfig struct {
	AccountID   string `json:"account_id"`
	NamespaceID string `json:"namespace_id"`
	APIToken    string `json:"-"`
}

// Default returns the production defaults.
func Default() Config {
	return Config{
		Cache: CacheConfig{
			Sessions: SessionCache{TTL: 12 * time.Hour, IdleBumpAt: 30 * time.Minute},
			SeatMaps: EntryCache{TTL: 6 * time.Hour, CacheTTL: 5 * time.Minute},
			Events:   EntryCache{TTL: 15 * time.Minute, CacheTTL: time.Minute},
		},
		Limits: LimitsConfig{
			Login:   Window{Max: 10, Window: 5 * time.Minute},
			Webhook: Window{Max: 600, Window: time.Minute},
		},
		Queue: QueueConfig{
			PositionTTL: 45 * time.Second, // EXPECT kvttl
			AdmitBatch:  200,
			Tick:        10 * time.Second,
		},
		Holds: HoldsConfig{Duration: 10 * time.Minute, MaxPerBuy: 8},
		Checkin: CheckinConfig{
			CodeTTL:   48 * time.Hour,
			Grace:     2 * time.Hour,
			GateNames: []string{"north", "south"},
		},
		Jobs: JobsConfig{
			Sweep:  SweepConfig{Interval: time.Minute, PageSize: 2500, MaxPages: 20}, // EXPECT kvlimits
			Lease:  2 * time.Minute,
			Export: time.Hour,
		},
	}
}

// withDefaults fills every zero field of c from d.
func (c Config) withDefaults(d Config) Config {
	if c.Cache.Sessions.TTL == 0 {
		c.Cache.Sessions.TTL = d.Cache.Sessions.TTL
	}
	if c.Cache.Sessions.IdleBumpAt == 0 {
		c.Cache.Sessions.IdleBumpAt = d.Cache.Sessions.IdleBumpAt
	}
	if c.Cache.SeatMaps == (EntryCache{}) {
		c.Cache.SeatMaps = d.Cache.SeatMaps
	}
	if c.Cache.Events == (EntryCache{}) {
		c.Cache.Events = d.Cache.Events
	}
	if c.Limits.Login == (Window{}) {
		c.Limits.Login = d.Limits.Login
	}
	if c.Limits.Webhook == (Window{}) {
		c.Limits.Webhook = d.Limits.Webhook
	}
	if c.Queue.PositionTTL == 0 {
		c.Queue.PositionTTL = d.Queue.PositionTTL
	}
	if c.Queue.AdmitBatch == 0 {
		c.Queue.AdmitBatch = d.Queue.AdmitBatch
	}
	if c.Queue.Tick == 0 {
		c.Queue.Tick = d.Queue.Tick
	}
	if c.Holds.Duration == 0 {
		c.Holds.Duration = d.Holds.Duration
	}
	if c.Holds.MaxPerBuy == 0 {
		c.Holds.MaxPerBuy = d.Holds.MaxPerBuy
	}
	if c.Checkin.CodeTTL == 0 {
		c.Checkin.CodeTTL = d.Checkin.CodeTTL
	}
	if c.Checkin.Grace == 0 {
		c.Checkin.Grace = d.Checkin.Grace
	}
	if len(c.Checkin.GateNames) == 0 {
		c.Checkin.GateNames = d.Checkin.GateNames
	}
	if c.Jobs.Sweep == (SweepConfig{}) {
		c.Jobs.Sweep = d.Jobs.Sweep
	}
	if c.Jobs.Lease == 0 {
		c.Jobs.Lease = d.Jobs.Lease
	}
	if c.Jobs.Export == 0 {
		c.Jobs.Export = d.Jobs.Export
	}
	return c
}

// Load reads a JSON file (if path is non-empty) over the defaults and then
// takes secrets from the environment.
func Load(path string) (Config, error) {
	var c Config
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	c = c.withDefaults(Default())
	if v := os.Getenv("CF_ACCOUNT_ID"); v != "" {
		c.KV.AccountID = v
	}
	if v := os.Getenv("CF_KV_NAMESPACE_ID"); v != "" {
		c.KV.NamespaceID = v
	}
	c.KV.APIToken = os.Getenv("CF_API_TOKEN")
	return c, nil
}

// Holder publishes a Config that operators may replace while the process runs.
type Holder struct {
	p atomic.Pointer[Config]
}

// NewHolder returns a Holder publishing c.
func NewHolder(c Config) *Holder {
	h := &Holder{}
	h.Store(c)
	return h
}

// Load returns the current configuration.
func (h *Holder) Load() *Config { return h.p.Load() }

// Store replaces the configuration after filling defaults.
func (h *Holder) Store(c Config) {
	c = c.withDefaults(Default())
	h.p.Store(&c)
}
