// Package config reads the settings shared by the Cloud Functions and the
// Vercel functions from the process environment.
package config

import (
	"os"
	"strconv"
	"time"
)

// Settings holds the account, namespace and tuning values for KV access.
type Settings struct {
	APIToken    string
	AccountID   string
	NamespaceID string

	// FeedCacheTTL is how long a rendered RSS document is kept in KV.
	FeedCacheTTL time.Duration
	// SessionTTL is the lifetime of a web-player session.
	SessionTTL time.Duration
	// DedupWindow is the window in which repeated downloads from one
	// listener are counted once.
	DedupWindow time.Duration
	// RollupLockTTL bounds how long a nightly rollup may hold its lock.
	RollupLockTTL time.Duration
	// IPDownloadLimit is the number of downloads per IP per minute.
	IPDownloadLimit int
	// OriginURL is the publishing database API the caches sit in front of.
	OriginURL string
}

// FromEnv reads Settings from the environment, falling back to defaults.
func FromEnv() Settings {
	return Settings{
		APIToken:        os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID:       os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		NamespaceID:     os.Getenv("RURU_KV_NAMESPACE_ID"),
		FeedCacheTTL:    duration("RURU_FEED_CACHE_TTL", 10*time.Minute),
		SessionTTL:      duration("RURU_SESSION_TTL", 14*24*time.Hour),
		DedupWindow:     duration("RURU_DEDUP_WINDOW", 24*time.Hour),
		RollupLockTTL:   duration("RURU_ROLLUP_LOCK_TTL", 15*time.Minute),
		IPDownloadLimit: integer("RURU_IP_DOWNLOAD_LIMIT", 30),
		OriginURL:       envOr("RURU_ORIGIN_URL", "https://origin.ruru.fm"),
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func duration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func integer(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}
