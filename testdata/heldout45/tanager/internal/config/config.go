// Package config reads the Worker's [vars] into typed settings.
package config

import (
	"fmt"
	"strconv"
	"time"
)

// Config is small and copied freely; handlers take it by value.
type Config struct {
	OriginURL    string
	MediaBaseURL string

	EpisodeTTL     time.Duration
	FeedTTL        time.Duration
	PrivateFeedTTL time.Duration
	DirectoryTTL   time.Duration

	SessionTTL time.Duration
	RefreshTTL time.Duration

	LoginWindow      time.Duration
	LoginMaxAttempts int

	UploadQuotaBytes int64
	FeedPageSize     int
	AdminToken       string
}

// Defaults are the production values when a var is not set.
func Defaults() Config {
	return Config{
		OriginURL:        "https://api.tanager.fm",
		MediaBaseURL:     "https://media.tanager.fm",
		EpisodeTTL:       10 * time.Minute,
		FeedTTL:          5 * time.Minute,
		PrivateFeedTTL:   2 * time.Minute,
		DirectoryTTL:     time.Hour,
		SessionTTL:       30 * 24 * time.Hour,
		RefreshTTL:       90 * 24 * time.Hour,
		LoginWindow:      10 * time.Minute,
		LoginMaxAttempts: 5,
		UploadQuotaBytes: 20 << 30,
		FeedPageSize:     300,
	}
}

// Load overlays the environment on Defaults. getenv is cloudflare.Getenv in
// the Worker; it returns "undefined" for unset vars.
func Load(getenv func(string) string) (Config, error) {
	c := Defaults()
	for name, dst := range map[string]*string{"ORIGIN_URL": &c.OriginURL, "MEDIA_BASE_URL": &c.MediaBaseURL, "ADMIN_TOKEN": &c.AdminToken} {
		if v := getenv(name); v != "" && v != "undefined" {
			*dst = v
		}
	}
	for name, dst := range map[string]*time.Duration{
		"EPISODE_TTL":      &c.EpisodeTTL,
		"FEED_TTL":         &c.FeedTTL,
		"PRIVATE_FEED_TTL": &c.PrivateFeedTTL,
		"DIRECTORY_TTL":    &c.DirectoryTTL,
		"SESSION_TTL":      &c.SessionTTL,
		"REFRESH_TTL":      &c.RefreshTTL,
		"LOGIN_WINDOW":     &c.LoginWindow,
	} {
		if v := getenv(name); v != "" && v != "undefined" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return c, fmt.Errorf("config %s: %w", name, err)
			}
			*dst = d
		}
	}
	if n, err := strconv.Atoi(getenv("LOGIN_MAX_ATTEMPTS")); err == nil && n > 0 {
		c.LoginMaxAttempts = n
	}
	return c, nil
}

// Origin joins a path onto the origin API.
func (c Config) Origin(path string, args ...any) string {
	return c.OriginURL + fmt.Sprintf(path, args...)
}
