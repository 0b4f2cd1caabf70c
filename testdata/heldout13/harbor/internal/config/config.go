// Package config loads harbor's runtime configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the full service configuration. It is loaded once at startup and
// handed down to the packages that need a piece of it.
type Config struct {
	AccountID, APIToken string
	// Workers KV namespace IDs.
	MainNamespace, SessionNamespace, CacheNamespace, LegacyNamespace string
	ListenAddr, AISBaseURL                                           string

	SessionTTL, OTPTTL, RefreshTTL time.Duration
	VesselCacheTTL, TokenCacheTTL  time.Duration
	RateWindow, FlushInterval      time.Duration
	RateLimit                      int
	SyncPageSize, SyncMaxPages     int
}

// MissingError reports required variables that were not set.
type MissingError struct{ Vars []string }

func (e *MissingError) Error() string {
	return "config: missing required variables: " + strings.Join(e.Vars, ", ")
}

// Load reads HARBOR_* variables.
func Load() (Config, error) { return LoadFrom(os.LookupEnv) }

// LoadFrom is Load with an injectable lookup, used by tests.
func LoadFrom(lookup func(string) (string, bool)) (Config, error) {
	c := Config{
		ListenAddr:     ":8080",
		AISBaseURL:     "https://ais.example.net/v2",
		SessionTTL:     12 * time.Hour,
		OTPTTL:         10 * time.Minute,
		RefreshTTL:     30 * 24 * time.Hour,
		VesselCacheTTL: 5 * time.Minute,
		TokenCacheTTL:  5 * time.Minute,
		RateWindow:     time.Minute,
		RateLimit:      120,
		FlushInterval:  time.Minute,
		SyncPageSize:   500,
		SyncMaxPages:   40,
	}
	var missing []string
	var errs []error
	str := func(name string, dst *string, required bool) {
		if v, ok := lookup(name); ok && v != "" {
			*dst = v
		} else if required {
			missing = append(missing, name)
		}
	}
	dur := func(name string, dst *time.Duration) {
		if v, ok := lookup(name); ok && v != "" {
			d, err := time.ParseDuration(v)
			errs = append(errs, wrap(name, err))
			*dst = d
		}
	}
	num := func(name string, dst *int) {
		if v, ok := lookup(name); ok && v != "" {
			n, err := strconv.Atoi(v)
			errs = append(errs, wrap(name, err))
			*dst = n
		}
	}
	str("HARBOR_ACCOUNT_ID", &c.AccountID, true)
	str("HARBOR_API_TOKEN", &c.APIToken, true)
	str("HARBOR_KV_MAIN", &c.MainNamespace, true)
	str("HARBOR_KV_SESSIONS", &c.SessionNamespace, true)
	str("HARBOR_KV_CACHE", &c.CacheNamespace, true)
	str("HARBOR_KV_LEGACY", &c.LegacyNamespace, true)
	str("HARBOR_LISTEN", &c.ListenAddr, false)
	str("HARBOR_AIS_URL", &c.AISBaseURL, false)
	if len(missing) > 0 {
		return c, &MissingError{Vars: missing}
	}
	dur("HARBOR_SESSION_TTL", &c.SessionTTL)
	dur("HARBOR_OTP_TTL", &c.OTPTTL)
	dur("HARBOR_REFRESH_TTL", &c.RefreshTTL)
	dur("HARBOR_VESSEL_CACHE_TTL", &c.VesselCacheTTL)
	dur("HARBOR_TOKEN_CACHE_TTL", &c.TokenCacheTTL)
	dur("HARBOR_RATE_WINDOW", &c.RateWindow)
	dur("HARBOR_FLUSH_INTERVAL", &c.FlushInterval)
	num("HARBOR_RATE_LIMIT", &c.RateLimit)
	num("HARBOR_SYNC_PAGE_SIZE", &c.SyncPageSize)
	num("HARBOR_SYNC_MAX_PAGES", &c.SyncMaxPages)
	if c.SyncPageSize < 10 || c.SyncPageSize > 1000 {
		errs = append(errs, fmt.Errorf("HARBOR_SYNC_PAGE_SIZE: %d out of range [10,1000]", c.SyncPageSize))
	}
	return c, errors.Join(errs...)
}

func wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}
