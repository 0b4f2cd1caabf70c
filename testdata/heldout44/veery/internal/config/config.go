// Package config loads fleetd and fleetctl settings from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Namespaces holds the Workers KV namespace IDs used by the fleet backend.
// Each domain owns one namespace so that purges and exports stay scoped.
type Namespaces struct {
	Devices  string
	Enrol    string
	Sessions string
	Rollouts string
	Commands string
	Alerts   string
	Cache    string
}

// Config is the process configuration. It is small and passed by value.
type Config struct {
	AccountID string
	APIToken  string
	Listen    string
	QueueID   string

	NS Namespaces

	OfflineAfter   time.Duration
	SessionTTL     time.Duration
	EnrolTokenTTL  time.Duration
	CommandTTL     time.Duration
	AlertWindow    time.Duration
	CronEvery      time.Duration
	AlertsPerMin   int
	SMSPerDay      int
	RegistryURL    string
	RegistryAPIKey string
}

// FromEnv reads the configuration. Durations use time.ParseDuration syntax.
func FromEnv() (Config, error) {
	c := Config{
		AccountID:      os.Getenv("CF_ACCOUNT_ID"),
		APIToken:       os.Getenv("CF_API_TOKEN"),
		Listen:         envOr("FLEETD_LISTEN", ":8080"),
		QueueID:        os.Getenv("FLEETD_ALERT_QUEUE"),
		RegistryURL:    envOr("REGISTRY_URL", "http://registry.internal:9000"),
		RegistryAPIKey: os.Getenv("REGISTRY_API_KEY"),
		NS: Namespaces{
			Devices:  os.Getenv("KV_NS_DEVICES"),
			Enrol:    os.Getenv("KV_NS_ENROL"),
			Sessions: os.Getenv("KV_NS_SESSIONS"),
			Rollouts: os.Getenv("KV_NS_ROLLOUTS"),
			Commands: os.Getenv("KV_NS_COMMANDS"),
			Alerts:   os.Getenv("KV_NS_ALERTS"),
			Cache:    os.Getenv("KV_NS_CACHE"),
		},
	}
	var err error
	durations := []struct {
		env string
		def string
		dst *time.Duration
	}{
		{"FLEETD_OFFLINE_AFTER", "15m", &c.OfflineAfter},
		{"FLEETD_SESSION_TTL", "12h", &c.SessionTTL},
		{"FLEETD_ENROL_TOKEN_TTL", "72h", &c.EnrolTokenTTL},
		{"FLEETD_COMMAND_TTL", "24h", &c.CommandTTL},
		{"FLEETD_ALERT_WINDOW", "10m", &c.AlertWindow},
		{"FLEETD_CRON_EVERY", "1m", &c.CronEvery},
	}
	for _, d := range durations {
		if *d.dst, err = time.ParseDuration(envOr(d.env, d.def)); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", d.env, err)
		}
	}
	if c.AlertsPerMin, err = strconv.Atoi(envOr("FLEETD_ALERTS_PER_MIN", "20")); err != nil {
		return Config{}, fmt.Errorf("config: FLEETD_ALERTS_PER_MIN: %w", err)
	}
	if c.SMSPerDay, err = strconv.Atoi(envOr("FLEETD_SMS_PER_DAY", "200")); err != nil {
		return Config{}, fmt.Errorf("config: FLEETD_SMS_PER_DAY: %w", err)
	}
	return c, nil
}

// Validate reports missing required settings.
func (c Config) Validate() error {
	if c.AccountID == "" || c.APIToken == "" {
		return fmt.Errorf("config: CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	if c.NS.Devices == "" || c.NS.Sessions == "" {
		return fmt.Errorf("config: KV_NS_DEVICES and KV_NS_SESSIONS are required")
	}
	return nil
}

// OfflineGrace is how long a last-seen record outlives the offline threshold,
// so the sweeper can still report a device as offline before the key expires.
func (c Config) OfflineGrace() time.Duration {
	return c.OfflineAfter + c.OfflineAfter/2
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
