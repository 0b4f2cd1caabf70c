// Package config reads the fleet services' settings from the environment once
// at start-up. Everything downstream receives a Settings value; nothing reads
// os.Getenv after main has returned from Load.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Settings holds the tunables shared by fleetapi and fleetsync.
type Settings struct {
	AccountID       string
	APIToken        string
	Namespace       string // fleet namespace used by fleetapi (v6 client)
	LegacyNamespace string // export namespace used by fleetsync (v0 client)
	ListenAddr      string
	SSOAuthorizeURL string

	// Lifetimes.
	ConfigCacheTTL time.Duration // device config bundles cached in front of the origin
	SessionTTL     time.Duration // operator console sessions
	LiveTTL        time.Duration // "latest sample" entries shown on the live map
	ExportTTL      time.Duration // exported snapshots
	RollupWindow   time.Duration // telemetry aggregation bucket

	// Refresh cadence for in-process snapshots.
	ManifestRefresh time.Duration
	SummaryRefresh  time.Duration
	FlushInterval   time.Duration

	// Listing.
	ListPageSize   int
	MaxExportPages int

	// Abuse control.
	PairingPerMinute int
	ExportQuota      int
}

// Load parses the environment. Unset variables fall back to defaults; set but
// malformed ones are an error so that a typo does not silently change a TTL.
func Load() (Settings, error) {
	var errs []error
	s := Settings{
		AccountID:       os.Getenv("CF_ACCOUNT_ID"),
		APIToken:        os.Getenv("CF_API_TOKEN"),
		Namespace:       os.Getenv("FLEET_KV_NAMESPACE"),
		LegacyNamespace: os.Getenv("FLEET_EXPORT_NAMESPACE"),
		ListenAddr:      envString("FLEET_LISTEN", ":8080"),
		SSOAuthorizeURL: envString("FLEET_SSO_AUTHORIZE_URL", "https://sso.whinchat.example/authorize"),
	}

	s.ConfigCacheTTL = envDuration("FLEET_CONFIG_CACHE_TTL", 10*time.Minute, &errs)
	s.SessionTTL = envDuration("FLEET_SESSION_TTL", 12*time.Hour, &errs)
	s.LiveTTL = envDuration("FLEET_LIVE_TTL", 30*time.Second, &errs) // DEBATABLE kvttl
	s.ExportTTL = envDuration("FLEET_EXPORT_TTL", 72*time.Hour, &errs)
	s.RollupWindow = envDuration("FLEET_ROLLUP_WINDOW", 5*time.Minute, &errs)
	s.ManifestRefresh = envDuration("FLEET_MANIFEST_REFRESH", 45*time.Second, &errs)
	s.SummaryRefresh = envDuration("FLEET_SUMMARY_REFRESH", 2*time.Minute, &errs)
	s.FlushInterval = envDuration("FLEET_FLUSH_INTERVAL", time.Minute, &errs)

	s.ListPageSize = envInt("FLEET_LIST_PAGE", 1000, &errs)
	s.MaxExportPages = envInt("FLEET_EXPORT_MAX_PAGES", 200, &errs)
	s.PairingPerMinute = envInt("FLEET_PAIRING_PER_MINUTE", 5, &errs)
	s.ExportQuota = envInt("FLEET_EXPORT_QUOTA", 20, &errs)

	if s.ListPageSize < 10 || s.ListPageSize > 1000 {
		errs = append(errs, fmt.Errorf("FLEET_LIST_PAGE=%d: must be between 10 and 1000", s.ListPageSize))
	}
	if s.SessionTTL < time.Minute {
		errs = append(errs, fmt.Errorf("FLEET_SESSION_TTL=%s: must be at least 1m", s.SessionTTL))
	}
	if s.AccountID == "" || s.APIToken == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID and CF_API_TOKEN are required"))
	}
	return s, errors.Join(errs...)
}

func envString(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration, errs *[]error) time.Duration {
	return env(name, def, errs, time.ParseDuration)
}

func envInt(name string, def int, errs *[]error) int { return env(name, def, errs, strconv.Atoi) }

func env[T any](name string, def T, errs *[]error, parse func(string) (T, error)) T {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return x
}
