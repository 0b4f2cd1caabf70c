// Package config loads fleet configuration from built-in defaults, an
// optional JSON file, FLEET_* environment variables and flags, in that order.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Seconds is a whole number of seconds, the unit of KV's expiration_ttl.
type Seconds int64

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Config is passed by value to constructors at start-up.
type Config struct {
	Cloudflare struct{ AccountID, APIToken string }
	Namespaces Namespaces
	Sessions   Sessions
	Enrollment Enrollment
	Telemetry  Telemetry
	Rollout    Rollout
	Export     Export
	HTTPAddr   string
}

// Namespaces maps logical stores to Workers KV namespace IDs.
type Namespaces struct {
	Default   string            `json:"default"`
	Global    string            `json:"global"`
	Sessions  string            `json:"sessions"`
	Rollout   string            `json:"rollout"`
	Archive   string            `json:"archive"`
	StagingNS string            `json:"staging_default"`
	Tenants   map[string]string `json:"tenants"`   // tenant -> namespace
	Staging   map[string]string `json:"staging"`   // tenant -> staging namespace
	Telemetry map[string]string `json:"telemetry"` // tenant -> telemetry namespace
}

type Sessions struct {
	IdleTimeout, AbsoluteTimeout, RefreshTTL time.Duration
	MaxFailures                              int
}

type Enrollment struct {
	CodeTTL     Seconds
	MaxAttempts int
}

type Telemetry struct {
	Window, FlushEvery, LastSeenTTL time.Duration
	PerWindow                       int
	DailyQuota                      int64
}

type Rollout struct {
	StateTTL, Retention time.Duration
}

type Export struct {
	Prefix            string
	Retention         time.Duration
	Deadline          time.Duration
	MaxPages, MaxKeys int
}

// Defaults returns a configuration that works against a single namespace.
func Defaults() Config {
	var c Config
	c.Namespaces = Namespaces{Tenants: map[string]string{}, Staging: map[string]string{}, Telemetry: map[string]string{}}
	c.Sessions = Sessions{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, RefreshTTL: 14 * 24 * time.Hour, MaxFailures: 5}
	c.Enrollment = Enrollment{CodeTTL: 15 * 60, MaxAttempts: 10}
	c.Telemetry = Telemetry{Window: time.Minute, FlushEvery: 15 * time.Second, LastSeenTTL: 72 * time.Hour, PerWindow: 120, DailyQuota: 50_000}
	c.Rollout = Rollout{StateTTL: 30 * 24 * time.Hour, Retention: 90 * 24 * time.Hour}
	c.Export = Export{Prefix: "device/", Retention: 7 * 24 * time.Hour, Deadline: 45 * time.Minute, MaxPages: 200, MaxKeys: 100_000}
	c.HTTPAddr = ":8080"
	return c
}

// fileConfig is the on-disk format; durations are strings such as "90s".
type fileConfig struct {
	AccountID  string            `json:"account_id"`
	Namespaces *Namespaces       `json:"namespaces"`
	Durations  map[string]string `json:"durations"`
}

// Load builds the configuration from defaults, the file at path (if any)
// and the environment.
func Load(path string) (Config, error) {
	c := Defaults()
	if path != "" {
		if err := c.mergeFile(path); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if err := c.mergeEnv(); err != nil {
		return Config{}, fmt.Errorf("config env: %w", err)
	}
	return c, nil
}

func (c *Config) durations() map[string]*time.Duration {
	return map[string]*time.Duration{
		"session_idle":     &c.Sessions.IdleTimeout,
		"session_absolute": &c.Sessions.AbsoluteTimeout,
		"telemetry_window": &c.Telemetry.Window,
		"telemetry_flush":  &c.Telemetry.FlushEvery,
		"rollout_state":    &c.Rollout.StateTTL,
		"export_retention": &c.Export.Retention,
	}
}

func (c *Config) mergeFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var fc fileConfig
	if err := json.Unmarshal(raw, &fc); err != nil {
		return err
	}
	if fc.AccountID != "" {
		c.Cloudflare.AccountID = fc.AccountID
	}
	if fc.Namespaces != nil {
		c.Namespaces = *fc.Namespaces
	}
	fields := c.durations()
	var errs []error
	for name, v := range fc.Durations {
		d, err := time.ParseDuration(v)
		switch dst := fields[name]; {
		case err != nil:
			errs = append(errs, fmt.Errorf("durations.%s: %w", name, err))
		case dst == nil:
			errs = append(errs, fmt.Errorf("durations.%s: unknown setting", name))
		default:
			*dst = d
		}
	}
	return errors.Join(errs...)
}

func (c *Config) mergeEnv() error {
	for name, dst := range map[string]*string{
		"FLEET_ACCOUNT_ID":     &c.Cloudflare.AccountID,
		"CLOUDFLARE_API_TOKEN": &c.Cloudflare.APIToken,
		"FLEET_NS_DEFAULT":     &c.Namespaces.Default,
		"FLEET_NS_GLOBAL":      &c.Namespaces.Global,
		"FLEET_NS_SESSIONS":    &c.Namespaces.Sessions,
		"FLEET_NS_ARCHIVE":     &c.Namespaces.Archive,
	} {
		if v, ok := os.LookupEnv(name); ok {
			*dst = v
		}
	}
	var errs []error
	if v, ok := os.LookupEnv("FLEET_SESSION_IDLE"); ok {
		if d, err := time.ParseDuration(v); err != nil {
			errs = append(errs, fmt.Errorf("FLEET_SESSION_IDLE: %w", err))
		} else {
			c.Sessions.IdleTimeout = d
		}
	}
	if v, ok := os.LookupEnv("FLEET_CODE_TTL"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("FLEET_CODE_TTL: %w", err))
		} else {
			c.Enrollment.CodeTTL = Seconds(n)
		}
	}
	return errors.Join(errs...)
}

// RegisterFlags binds the settings operators most often override to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.HTTPAddr, "addr", c.HTTPAddr, "listen address")
	fs.DurationVar(&c.Telemetry.Window, "telemetry-window", c.Telemetry.Window, "rate limit window")
	fs.IntVar(&c.Telemetry.PerWindow, "telemetry-per-window", c.Telemetry.PerWindow, "messages per device per window")
	fs.DurationVar(&c.Telemetry.FlushEvery, "telemetry-flush", c.Telemetry.FlushEvery, "quota flush interval")
	fs.IntVar(&c.Export.MaxPages, "export-max-pages", c.Export.MaxPages, "page budget for the nightly export")
}
