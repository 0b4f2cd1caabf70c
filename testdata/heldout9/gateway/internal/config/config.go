// Package config loads the control plane's settings at startup.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is built once in main and handed to the services that need it.
type Config struct {
	AccountID   string
	NamespaceID string
	ListenAddr  string

	// Lifetimes of the projections the edge worker reads.
	KeyRecordTTL     time.Duration
	NegativeCacheTTL time.Duration
	PolicyTTL        time.Duration
	SessionIdle      time.Duration
	RotationGrace    time.Duration

	// Scans over the namespace (usage aggregation, exports).
	ScanPageSize int
	ScanMaxPages int

	AuditBuffer    int
	AggregateEvery time.Duration
	AdminRPM       int
}

// Default returns the settings used when nothing is overridden.
func Default() Config {
	return Config{
		ListenAddr:       ":8080",
		KeyRecordTTL:     6 * time.Hour,
		NegativeCacheTTL: 30 * time.Second, // EXPECT kvttl
		PolicyTTL:        time.Hour,
		SessionIdle:      30 * time.Minute,
		RotationGrace:    24 * time.Hour,
		ScanPageSize:     5000, // EXPECT kvlimits
		ScanMaxPages:     20,
		AuditBuffer:      256,
		AggregateEvery:   time.Minute,
		AdminRPM:         120,
	}
}

var errMissing = errors.New("config: required variable not set")

// Load reads the environment on top of Default.
func Load() (Config, error) {
	c := Default()
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.NamespaceID = os.Getenv("GW_KV_NAMESPACE")
	if c.AccountID == "" || c.NamespaceID == "" {
		return c, fmt.Errorf("CF_ACCOUNT_ID / GW_KV_NAMESPACE: %w", errMissing)
	}
	if v := os.Getenv("GW_LISTEN"); v != "" {
		c.ListenAddr = v
	}
	var err error
	if c.KeyRecordTTL, err = Duration("GW_KEY_TTL", c.KeyRecordTTL); err != nil {
		return c, err
	}
	if c.SessionIdle, err = Duration("GW_SESSION_IDLE", c.SessionIdle); err != nil {
		return c, err
	}
	if c.RotationGrace, err = Duration("GW_ROTATION_GRACE", c.RotationGrace); err != nil {
		return c, err
	}
	if v := os.Getenv("GW_ADMIN_RPM"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("GW_ADMIN_RPM: %w", err)
		}
		c.AdminRPM = n
	}
	return c, nil
}

// Duration parses a Go duration from the environment, falling back to def.
func Duration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
