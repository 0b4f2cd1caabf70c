// Package settings is the service's configuration: defaults in code,
// overridden from the environment once at startup.
package settings

import (
	"os"
	"time"
)

// Settings groups the settings of each part of the service.
type Settings struct {
	Geo GeoSettings
}

// GeoSettings tunes the IP-to-country lookups kept in KV.
type GeoSettings struct {
	LookupTTL   time.Duration // how long a resolved address is kept
	NegativeTTL time.Duration // how long an unresolvable address is remembered
}

// Defaults are the settings in production unless overridden.
func Defaults() Settings {
	return Settings{
		Geo: GeoSettings{
			LookupTTL:   6 * time.Hour,
			NegativeTTL: 20 * time.Second, // EXPECT kvttl
		},
	}
}

// Load returns the defaults with the environment's overrides.
func Load() Settings {
	s := Defaults()
	if d, err := time.ParseDuration(os.Getenv("GEO_LOOKUP_TTL")); err == nil {
		s.Geo.LookupTTL = d
	}
	return s
}
