// Package config reads runtime settings from the environment with defaults.
package config

import (
	"strconv"
	"time"
)

// KV holds the settings of one family of keys.
type KV struct {
	Prefix   string
	TTL      time.Duration
	CacheTTL time.Duration
	PageSize int
}

// Worker is the configuration of the edge Worker.
type Worker struct {
	Session      KV
	Feed         KV
	Upload       KV
	UploadsPerIP int
	MaxListPages int
	PublicHost   string
}

// Admin is the configuration of the admin backend.
type Admin struct {
	AccountID     string
	NamespaceID   string
	APIToken      string
	SweepInterval time.Duration
	DrainInterval time.Duration
	Retention     time.Duration
	MaxSweepKeys  int
	ImportBatch   int
}

func duration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if v := getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func integer(getenv func(string) string, name string, def int) int {
	if v := getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func str(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// LoadWorker reads the Worker configuration through getenv.
func LoadWorker(getenv func(string) string) Worker {
	base := KV{TTL: time.Hour, CacheTTL: 5 * time.Minute, PageSize: 100}

	sess := base
	sess.Prefix = "session/"
	sess.TTL = duration(getenv, "SESSION_TTL", 14*24*time.Hour)

	feed := base
	feed.Prefix = "feed/"
	feed.TTL = duration(getenv, "FEED_TTL", 15*time.Minute)
	feed.CacheTTL = duration(getenv, "FEED_CACHE_TTL", base.CacheTTL)

	up := base
	up.Prefix = "upload/"
	up.TTL = 24 * time.Hour

	return Worker{
		Session:      sess,
		Feed:         feed,
		Upload:       up,
		UploadsPerIP: integer(getenv, "UPLOADS_PER_IP", 20),
		MaxListPages: integer(getenv, "MAX_LIST_PAGES", 10),
		PublicHost:   str(getenv, "PUBLIC_HOST", "razorbill.fm"),
	}
}

// LoadAdmin reads the admin configuration through getenv.
func LoadAdmin(getenv func(string) string) Admin {
	return Admin{
		AccountID:     getenv("CF_ACCOUNT_ID"),
		NamespaceID:   getenv("CF_KV_NAMESPACE_ID"),
		APIToken:      getenv("CF_API_TOKEN"),
		SweepInterval: duration(getenv, "SWEEP_INTERVAL", 5*time.Minute),
		DrainInterval: duration(getenv, "DRAIN_INTERVAL", 250*time.Millisecond),
		Retention:     duration(getenv, "RETENTION", 90*24*time.Hour),
		MaxSweepKeys:  integer(getenv, "MAX_SWEEP_KEYS", 50_000),
		ImportBatch:   integer(getenv, "IMPORT_BATCH", 500),
	}
}
