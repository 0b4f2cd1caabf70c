// Package config holds the Worker's tunables.
package config

import "time"

// Config is built once in main and handed to each service.
type Config struct {
	SiteURL string

	SessionTTL   time.Duration
	MagicLinkTTL time.Duration
	CSRFTTL      time.Duration

	HomepageTTL time.Duration
	SitemapTTL  time.Duration
	TrendingTTL time.Duration

	// TrendingSize is how many stories the trending rail shows.
	TrendingSize int
	// LoginAttempts is how many failed logins an address gets per window.
	LoginAttempts int
	LoginWindow   time.Duration

	// DigestDailyQuota caps newsletter sends per UTC day (ESP contract).
	DigestDailyQuota int
}

// Default returns production defaults; main overrides from env vars.
func Default() Config {
	return Config{
		SiteURL:          "https://news.example.com",
		SessionTTL:       12 * time.Hour,
		MagicLinkTTL:     15 * time.Minute,
		CSRFTTL:          2 * time.Hour,
		HomepageTTL:      20 * time.Second, // EXPECT kvttl
		SitemapTTL:       6 * time.Hour,
		TrendingTTL:      5 * time.Minute,
		TrendingSize:     10,
		LoginAttempts:    5,
		LoginWindow:      15 * time.Minute,
		DigestDailyQuota: 50000,
	}
}
