// Package config holds the tunables shared by the Worker and the backend.
package config

import "time"

// Config holds lifetimes and limits. Durations are time.Duration; fields
// ending in Seconds are plain seconds as KV expects them.
type Config struct {
	SessionTTL      time.Duration
	MagicLinkTTL    time.Duration
	OAuthStateTTL   time.Duration
	FeedTokenTTL    time.Duration
	EpisodeCacheTTL time.Duration
	PreviewTTL      time.Duration
	JobTimeout      time.Duration
	PollWindow      time.Duration

	FeedCacheSeconds   int
	RateWindowSeconds  int
	RateLimit          int
	LoginAttemptLimit  int
	StatusTTLSeconds   int
	TrendingTTLSeconds int

	ListPageSize int
	MaxListPages int
	MaxFanOut    int
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config {
	return Config{
		SessionTTL:      24 * time.Hour,
		MagicLinkTTL:    15 * time.Minute,
		OAuthStateTTL:   10 * time.Minute,
		FeedTokenTTL:    90 * 24 * time.Hour,
		EpisodeCacheTTL: 10 * time.Minute,
		PreviewTTL:      2 * time.Hour,
		JobTimeout:      4 * time.Second,
		PollWindow:      5 * time.Second,

		FeedCacheSeconds:   300,
		RateWindowSeconds:  60,
		RateLimit:          120,
		LoginAttemptLimit:  8,
		StatusTTLSeconds:   3600,
		TrendingTTLSeconds: 900,

		ListPageSize: 1000,
		MaxListPages: 25,
		MaxFanOut:    16,
	}
}

// Merge returns base with every non-zero field of override applied.
func Merge(base, override Config) Config {
	out := base
	setDur(&out.SessionTTL, override.SessionTTL)
	setDur(&out.MagicLinkTTL, override.MagicLinkTTL)
	setDur(&out.OAuthStateTTL, override.OAuthStateTTL)
	setDur(&out.FeedTokenTTL, override.FeedTokenTTL)
	setDur(&out.EpisodeCacheTTL, override.EpisodeCacheTTL)
	setDur(&out.PreviewTTL, override.PreviewTTL)
	setDur(&out.JobTimeout, override.JobTimeout)
	setDur(&out.PollWindow, override.PollWindow)
	setInt(&out.FeedCacheSeconds, override.FeedCacheSeconds)
	setInt(&out.RateWindowSeconds, override.RateWindowSeconds)
	setInt(&out.RateLimit, override.RateLimit)
	setInt(&out.LoginAttemptLimit, override.LoginAttemptLimit)
	setInt(&out.StatusTTLSeconds, override.StatusTTLSeconds)
	setInt(&out.TrendingTTLSeconds, override.TrendingTTLSeconds)
	setInt(&out.ListPageSize, override.ListPageSize)
	setInt(&out.MaxListPages, override.MaxListPages)
	setInt(&out.MaxFanOut, override.MaxFanOut)
	return out
}

func setDur(dst *time.Duration, v time.Duration) {
	if v != 0 {
		*dst = v
	}
}

func setInt(dst *int, v int) {
	if v != 0 {
		*dst = v
	}
}
