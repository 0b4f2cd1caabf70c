// Package config reads service settings from the environment.
package config

import (
	"os"
	"strconv"
	"time"
)

// KV holds the TTLs and limits applied to KV writes.
type KV struct {
	SessionTTL     time.Duration
	InviteTTL      time.Duration
	CacheTTL       time.Duration
	LeaderboardTTL time.Duration
	ListPageSize   int
	MaxPages       int
}

// Base is the built-in configuration.
var Base = KV{
	SessionTTL:     24 * time.Hour,
	InviteTTL:      72 * time.Hour,
	CacheTTL:       5 * time.Minute,
	LeaderboardTTL: 10 * time.Minute,
	ListPageSize:   500,
	MaxPages:       20,
}

// Lookup is the environment accessor; the Worker replaces it with
// cloudflare.Getenv.
type Lookup func(string) string

// Load returns Base overridden by the environment.
func Load(get Lookup) KV {
	if get == nil {
		get = os.Getenv
	}
	c := Base
	c.SessionTTL = Duration(get, "SESSION_TTL", c.SessionTTL)
	c.InviteTTL = Duration(get, "INVITE_TTL", c.InviteTTL)
	c.CacheTTL = Duration(get, "CACHE_TTL", c.CacheTTL)
	c.LeaderboardTTL = Duration(get, "LEADERBOARD_TTL", c.LeaderboardTTL)
	c.ListPageSize = Int(get, "LIST_PAGE_SIZE", c.ListPageSize)
	c.MaxPages = Int(get, "LIST_MAX_PAGES", c.MaxPages)
	return c
}

// Duration parses name as a time.Duration, falling back to def.
func Duration(get Lookup, name string, def time.Duration) time.Duration {
	raw := get(name)
	if raw == "" || raw == "undefined" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return def
	}
	return d
}

// Int parses name as an integer, falling back to def.
func Int(get Lookup, name string, def int) int {
	raw := get(name)
	if raw == "" || raw == "undefined" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return def
	}
	return n
}
