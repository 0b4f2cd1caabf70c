// Package config loads the service configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is read once at start-up and passed down by value.
type Config struct {
	AccountID string
	APIToken  string

	// Namespaces. Content is what the edge site reads; State is private to
	// the backend; Sessions holds editor logins; Previews and EdgeCache are
	// still served through the legacy client.
	ContentNamespace   string
	StateNamespace     string
	MetricsNamespace   string
	SessionsNamespace  string
	PreviewsNamespace  string
	EdgeCacheNamespace string

	DatabaseDriver string
	DatabaseURL    string
	ListenAddr     string
	PublicBaseURL  string

	CrawlWorkers  int
	CrawlInterval time.Duration
	FetchTimeout  time.Duration

	LockTTL       time.Duration
	IndexTTL      time.Duration
	TeaserTTL     time.Duration
	MostReadTTL   time.Duration
	SessionTTL    time.Duration
	PreviewTTL    time.Duration
	MagicLinkTTL  time.Duration
	KVMaxAttempts int

	SitemapEvery  time.Duration
	MostReadEvery time.Duration
	ReconcileAt   time.Duration
}

// Load reads the configuration. Durations use time.ParseDuration syntax.
func Load() (Config, error) {
	c := Config{
		AccountID:          os.Getenv("CF_ACCOUNT_ID"),
		APIToken:           os.Getenv("CF_API_TOKEN"),
		ContentNamespace:   os.Getenv("FEEDS_KV_CONTENT"),
		StateNamespace:     os.Getenv("FEEDS_KV_STATE"),
		MetricsNamespace:   os.Getenv("FEEDS_KV_METRICS"),
		SessionsNamespace:  os.Getenv("FEEDS_KV_SESSIONS"),
		PreviewsNamespace:  os.Getenv("FEEDS_KV_PREVIEWS"),
		EdgeCacheNamespace: os.Getenv("FEEDS_KV_EDGECACHE"),
		DatabaseDriver:     stringEnv("FEEDS_DB_DRIVER", "pgx"),
		DatabaseURL:        os.Getenv("FEEDS_DATABASE_URL"),
		ListenAddr:         stringEnv("FEEDS_LISTEN", ":8080"),
		PublicBaseURL:      stringEnv("FEEDS_PUBLIC_URL", "https://www.example.com"),

		CrawlWorkers:  intEnv("FEEDS_CRAWL_WORKERS", 8),
		CrawlInterval: durationEnv("FEEDS_CRAWL_INTERVAL", 5*time.Minute),
		FetchTimeout:  durationEnv("FEEDS_FETCH_TIMEOUT", 20*time.Second),

		LockTTL:       durationEnv("FEEDS_LOCK_TTL", 45*time.Second), // EXPECT kvttl
		IndexTTL:      durationEnv("FEEDS_INDEX_TTL", 10*time.Minute),
		TeaserTTL:     durationEnv("FEEDS_TEASER_TTL", 6*time.Hour),
		MostReadTTL:   durationEnv("FEEDS_MOSTREAD_TTL", 2*time.Hour),
		SessionTTL:    durationEnv("FEEDS_SESSION_TTL", 12*time.Hour),
		PreviewTTL:    durationEnv("FEEDS_PREVIEW_TTL", 24*time.Hour),
		MagicLinkTTL:  durationEnv("FEEDS_MAGIC_LINK_TTL", 15*time.Minute),
		KVMaxAttempts: intEnv("FEEDS_KV_ATTEMPTS", 4),

		SitemapEvery:  durationEnv("FEEDS_SITEMAP_EVERY", time.Hour),
		MostReadEvery: durationEnv("FEEDS_MOSTREAD_EVERY", 10*time.Minute),
		ReconcileAt:   durationEnv("FEEDS_RECONCILE_EVERY", 24*time.Hour),
	}
	var missing []error
	for name, v := range map[string]string{
		"CF_ACCOUNT_ID":     c.AccountID,
		"CF_API_TOKEN":      c.APIToken,
		"FEEDS_KV_CONTENT":  c.ContentNamespace,
		"FEEDS_KV_STATE":    c.StateNamespace,
		"FEEDS_KV_METRICS":  c.MetricsNamespace,
		"FEEDS_KV_SESSIONS": c.SessionsNamespace,
		"FEEDS_KV_PREVIEWS": c.PreviewsNamespace,
	} {
		if v == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
	}
	if c.EdgeCacheNamespace == "" {
		c.EdgeCacheNamespace = c.ContentNamespace
	}
	return c, errors.Join(missing...)
}

func stringEnv(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func intEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func durationEnv(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
