// Package config holds the bindings, durations and limits shared by the
// Worker and the admin tooling.
package config

import (
	"fmt"
	"time"
)

// KV namespace bindings, as declared in wrangler.toml.
const (
	BindingSubscribers = "SUBSCRIBERS"
	BindingSessions    = "SESSIONS"
	BindingPages       = "PAGES"
	BindingContent     = "CONTENT"
)

const (
	SessionTTL       = 14 * 24 * time.Hour
	MagicLinkTTL     = 15 * time.Minute
	ConfirmTTL       = 72 * time.Hour
	PageTTL          = 10 * time.Minute
	PreviewTTL       = 45 * time.Second
	PublishLockTTL   = 2 * time.Minute
	SignupWindow     = time.Hour
	SignupsPerWindow = 5
	HotReadCache     = 5 * time.Minute // cacheTtl for hot reads
	FlagReadCache    = time.Minute
)

// PageTTLs maps a page class to how long its rendered HTML stays at the edge,
// as agreed in the caching runbook.
var PageTTLs = map[string]time.Duration{
	"article": mustDuration("10m"),
	"home":    mustDuration("2m"),
	"tag":     mustDuration("5m"),
	"feed":    mustDuration("90s"),
	"draft":   mustDuration("50s"),
}

// PageTTLFor returns the edge lifetime for a page class, falling back to PageTTL.
func PageTTLFor(class string) time.Duration {
	if d, ok := PageTTLs[class]; ok {
		return d
	}
	return PageTTL
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("config: bad duration %q: %v", s, err))
	}
	return d
}
