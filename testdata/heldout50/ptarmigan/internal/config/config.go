// Package config reads the backend's settings once at start-up.
package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config holds everything the backend services read at start-up.
type Config struct {
	Listen      string
	OriginURL   string
	AccountID   string
	NamespaceID string
	APIToken    string

	FeedTTL        time.Duration // how long a rendered feed stays in KV
	NegativeTTL    time.Duration // how long "no such feed" is remembered
	LeaseTTL       time.Duration // upper bound on a publishing lease
	TrendingWindow time.Duration // width of the trending-episodes window
	FlushEvery     time.Duration // how often download tallies are flushed

	ListPageSize int
	MaxListPages int
}

// Load parses flags from args, then reads the environment.
func Load(fs *flag.FlagSet, args []string) (Config, error) {
	var c Config
	fs.StringVar(&c.Listen, "listen", ":8080", "address to serve on")
	fs.StringVar(&c.OriginURL, "origin", "http://127.0.0.1:9000", "render service base URL")
	fs.DurationVar(&c.FlushEvery, "flush-every", 5*time.Minute, "how often download tallies are flushed")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.NamespaceID = os.Getenv("CF_KV_NAMESPACE_ID")
	c.APIToken = os.Getenv("CF_API_TOKEN")
	if c.AccountID == "" || c.NamespaceID == "" || c.APIToken == "" {
		return c, errors.New("config: CF_ACCOUNT_ID, CF_KV_NAMESPACE_ID and CF_API_TOKEN are required")
	}

	var err error
	if c.FeedTTL, err = durationEnv("FEED_CACHE_TTL", 10*time.Minute); err != nil {
		return c, err
	}
	if c.NegativeTTL, err = durationEnv("NEGATIVE_CACHE_TTL", 30*time.Second); err != nil {
		return c, err
	}
	if c.LeaseTTL, err = durationEnv("PUBLISH_LEASE_TTL", 5*time.Minute); err != nil {
		return c, err
	}
	if c.LeaseTTL < time.Minute {
		return c, fmt.Errorf("config: PUBLISH_LEASE_TTL must be at least a minute, got %s", c.LeaseTTL)
	}
	c.TrendingWindow, _ = time.ParseDuration(os.Getenv("TRENDING_WINDOW"))

	if c.ListPageSize, err = strconv.Atoi(envOr("KV_LIST_PAGE_SIZE", "1000")); err != nil || c.ListPageSize < 10 || c.ListPageSize > 1000 {
		return c, fmt.Errorf("config: KV_LIST_PAGE_SIZE must be a number in [10, 1000]")
	}
	if c.MaxListPages, err = strconv.Atoi(envOr("KV_MAX_LIST_PAGES", "50")); err != nil {
		return c, fmt.Errorf("config: KV_MAX_LIST_PAGES: %w", err)
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func durationEnv(name string, def time.Duration) (time.Duration, error) {
	s := os.Getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	return d, nil
}
