// Package config loads fleetd settings from the environment at startup.
//
// Every duration and size has a default so that a bare `fleetd` starts with
// sane values in development; production overrides them through the
// FLEET_* variables documented in deploy/README.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// LiveViewTTL bounds how long a rendered device tile stays in KV. Dashboards
// poll every 10s, so the tile only has to outlive one poll.
const LiveViewTTL = 15 * time.Second

// HeartbeatFlush is how often the scheduler publishes its liveness record.
const HeartbeatFlush = 250 * time.Millisecond

// SummaryInterval is the period of the fleet summary job.
const SummaryInterval = 10 * time.Minute

// Config is the process-wide configuration.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string
	ListenAddr  string

	SessionTTL        time.Duration
	ShadowCacheTTL    time.Duration
	RollupRetention   time.Duration
	ExportLinkTTL     time.Duration
	ProvisionTokenTTL time.Duration

	ListPageSize int
	MaxListPages int
	Workers      int
	RolloutBatch int
}

// Defaults holds the values used when the environment says nothing.
var Defaults = Config{
	ListenAddr:        ":8080",
	SessionTTL:        12 * time.Hour,
	ShadowCacheTTL:    5 * time.Minute,
	RollupRetention:   72 * time.Hour,
	ExportLinkTTL:     24 * time.Hour,
	ProvisionTokenTTL: 30 * time.Minute,
	ListPageSize:      500,
	MaxListPages:      40,
	Workers:           8,
	RolloutBatch:      200,
}

// Load reads the environment on top of Defaults.
func Load() (Config, error) {
	c := Defaults
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.NamespaceID = os.Getenv("FLEET_KV_NAMESPACE")
	c.APIToken = os.Getenv("CF_API_TOKEN")
	if v := os.Getenv("FLEET_LISTEN"); v != "" {
		c.ListenAddr = v
	}

	durations := []struct {
		env string
		dst *time.Duration
	}{
		{"FLEET_SESSION_TTL", &c.SessionTTL},
		{"FLEET_SHADOW_CACHE_TTL", &c.ShadowCacheTTL},
		{"FLEET_ROLLUP_RETENTION", &c.RollupRetention},
		{"FLEET_EXPORT_LINK_TTL", &c.ExportLinkTTL},
		{"FLEET_PROVISION_TOKEN_TTL", &c.ProvisionTokenTTL},
	}
	for _, d := range durations {
		v, err := envDuration(d.env, *d.dst)
		if err != nil {
			return Config{}, err
		}
		*d.dst = v
	}

	ints := []struct {
		env string
		dst *int
	}{
		{"FLEET_LIST_PAGE_SIZE", &c.ListPageSize},
		{"FLEET_MAX_LIST_PAGES", &c.MaxListPages},
		{"FLEET_WORKERS", &c.Workers},
		{"FLEET_ROLLOUT_BATCH", &c.RolloutBatch},
	}
	for _, i := range ints {
		v, err := envInt(i.env, *i.dst)
		if err != nil {
			return Config{}, err
		}
		*i.dst = v
	}
	return c, nil
}

func envDuration(name string, def time.Duration) (time.Duration, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return def, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return d, nil
}

func envInt(name string, def int) (int, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return n, nil
}
