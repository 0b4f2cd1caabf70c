// Package config reads the Worker's settings from its environment bindings.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// Lookup returns the value of an environment variable, or "" when unset.
type Lookup func(name string) string

// Config is the runtime configuration of the sundial Worker.
type Config struct {
	KVBinding    string
	TenantPrefix string
	// SessionTTL and VerifyTTL are Go durations such as "12h" or "15m".
	SessionTTL time.Duration
	VerifyTTL  time.Duration
	// HoldMinutes is how long seats stay reserved while a buyer checks out.
	HoldMinutes int
	// RecoveryWindowHours is how long a recovery-code login stays elevated.
	RecoveryWindowHours int
	// WebhookRetryWindow is the payment provider's redelivery window.
	WebhookRetryWindow time.Duration
	PublishBatch       int
	Plans              map[string]int
}

// Load reads the configuration, using defaults for unset variables.
func Load(get Lookup) (Config, error) {
	c := Config{
		KVBinding:    or(get("KV_BINDING"), "SUNDIAL_KV"),
		TenantPrefix: or(get("TENANT_PREFIX"), "t:"),
		Plans:        map[string]int{"free": 100, "starter": 2000, "pro": 25000},
	}
	var errs [7]error
	c.SessionTTL, errs[0] = duration(get("SESSION_TTL"), 12*time.Hour)
	c.VerifyTTL, errs[1] = duration(get("VERIFY_TTL"), 15*time.Minute)
	c.WebhookRetryWindow, errs[2] = duration(get("WEBHOOK_RETRY_WINDOW"), 3*time.Minute)
	c.HoldMinutes, errs[3] = integer(get("HOLD_MINUTES"), 10)
	c.RecoveryWindowHours, errs[4] = integer(get("RECOVERY_WINDOW_HOURS"), 1)
	c.PublishBatch, errs[5] = integer(get("PUBLISH_BATCH"), 50)
	for _, err := range errs {
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
	}
	return c, nil
}

// HoldTTL is the seat hold lifetime.
func (c Config) HoldTTL() time.Duration { return time.Duration(c.HoldMinutes) * time.Minute }

// RecoveryWindow is the elevated-session lifetime after a recovery-code login.
func (c Config) RecoveryWindow() time.Duration {
	return time.Duration(c.RecoveryWindowHours) * time.Hour
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func duration(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	return time.ParseDuration(v)
}

func integer(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}
