// Package config holds the worker's tunables.
package config

import (
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	// SessionTTL is how long a login session lives, in seconds.
	SessionTTL = 24 * 60 * 60
	// ProductCacheTTL keeps rendered product pages for five minutes.
	ProductCacheTTL = 5 * 60
	// SearchCacheTTL keeps search results briefly; results change often.
	SearchCacheTTL = 45
	// EdgeReadCacheTTL is the cacheTtl used when reading the site banner.
	EdgeReadCacheTTL = 20
	// FlagsReadCacheTTL is the cacheTtl for feature-flag reads.
	FlagsReadCacheTTL = 300
	// MinKVTTL is the shortest expiration KV accepts.
	MinKVTTL = 60
)

var (
	// DownloadLinkTTL is how long a signed download link stays valid.
	DownloadLinkTTL = 15 * time.Minute
	// InviteLifetime is how long an invitation can be accepted.
	InviteLifetime = 72 * time.Hour
)

// Settings are read from the Worker's environment at request time.
type Settings struct {
	CacheFor   time.Duration
	TTLSeconds int
}

// Load reads settings from vars in wrangler.toml.
func Load() Settings {
	s := Settings{CacheFor: 10 * time.Minute, TTLSeconds: 3600}
	if v := cloudflare.Getenv("CACHE_FOR"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			s.CacheFor = d
		}
	}
	return s
}
