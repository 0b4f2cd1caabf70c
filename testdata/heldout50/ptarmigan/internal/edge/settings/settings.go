//go:build js && wasm

// Package settings reads the edge worker's variables from the Worker
// environment once per isolate.
package settings

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Settings are the worker's tunables.
type Settings struct {
	SessionTTL    time.Duration // lifetime of a listener session
	MagicLinkTTL  time.Duration // lifetime of a login link
	AttemptWindow time.Duration // window over which login attempts are counted
	MaxAttempts   int           // login links an address may request per window
	FeedFreshFor  time.Duration // age after which a cached feed is refreshed
	FeedCacheTTL  int           // edge cache lifetime of feed reads, in seconds
	QueueLimit    int           // longest up-next queue
	Origin        string        // backend API base URL
}

var current atomic.Pointer[Settings]

// Get returns the settings, reading them from the environment on first use.
func Get() *Settings {
	if s := current.Load(); s != nil {
		return s
	}
	current.CompareAndSwap(nil, &Settings{
		SessionTTL:    duration("SESSION_TTL", 30*24*time.Hour),
		MagicLinkTTL:  duration("MAGIC_LINK_TTL", 15*time.Minute),
		AttemptWindow: duration("LOGIN_ATTEMPT_WINDOW", 15*time.Minute),
		MaxAttempts:   integer("LOGIN_MAX_ATTEMPTS", 5),
		FeedFreshFor:  duration("FEED_FRESH_FOR", 2*time.Minute),
		FeedCacheTTL:  integer("FEED_CACHE_TTL_SECONDS", 60),
		QueueLimit:    integer("QUEUE_LIMIT", 200),
		Origin:        cloudflare.Getenv("ORIGIN_URL"),
	})
	return current.Load()
}

func duration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(cloudflare.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func integer(name string, def int) int {
	if n, err := strconv.Atoi(cloudflare.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
