// Package config loads Mosaic's runtime configuration and fills defaults.
package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Config is the worker configuration. Lifetimes edited in the dashboard
// are int64 milliseconds because its JSON editor only understands numbers.
type Config struct {
	Env          string `json:"env"`
	StoreDriver  string `json:"store_driver"`
	KVBinding    string `json:"kv_binding"`
	ThumbBinding string `json:"thumb_binding"`
	D1Binding    string `json:"d1_binding"`
	ViewsDO      string `json:"views_do"`
	Tenant       string `json:"tenant"`
	LogLevel     string `json:"log_level"`

	ShareLinkTTLMillis     int64 `json:"share_link_ttl_ms"`
	UploadSessionTTLMillis int64 `json:"upload_session_ttl_ms"`
	DownloadCodeTTLMillis  int64 `json:"download_code_ttl_ms"`
	LoginSessionTTLMillis  int64 `json:"login_session_ttl_ms"`

	ThumbTTL      time.Duration `json:"-"`
	PreviewTTL    time.Duration `json:"-"`
	PlanCacheTTL  time.Duration `json:"-"`
	FlushInterval time.Duration `json:"-"`
	FlushSize     int           `json:"flush_size"`
	MaxListPages  int           `json:"max_list_pages"`
	RefreshEveryS int           `json:"refresh_every_s"`
}

func orDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// withDefaults returns a copy of c with every zero field set.
func (c Config) withDefaults() Config {
	orDefault(&c.Env, "production")
	orDefault(&c.StoreDriver, "kv")
	orDefault(&c.KVBinding, "MOSAIC_KV")
	orDefault(&c.ThumbBinding, "MOSAIC_THUMBS")
	orDefault(&c.D1Binding, "MOSAIC_DB")
	orDefault(&c.ViewsDO, "VIEW_COUNTER")
	orDefault(&c.LogLevel, "info")
	orDefault(&c.ShareLinkTTLMillis, (7 * 24 * time.Hour).Milliseconds())
	orDefault(&c.UploadSessionTTLMillis, (6 * time.Hour).Milliseconds())
	orDefault(&c.DownloadCodeTTLMillis, (10 * time.Minute).Milliseconds())
	orDefault(&c.LoginSessionTTLMillis, (24 * time.Hour).Milliseconds())
	orDefault(&c.ThumbTTL, 30*24*time.Hour)
	orDefault(&c.PreviewTTL, 2*time.Hour)
	orDefault(&c.PlanCacheTTL, 15*time.Minute)
	orDefault(&c.FlushInterval, 10*time.Second)
	orDefault(&c.FlushSize, 100)
	orDefault(&c.MaxListPages, 20)
	orDefault(&c.RefreshEveryS, 300)
	return c
}

func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// ShareLinkTTL returns the configured share link lifetime.
func (c Config) ShareLinkTTL() time.Duration { return millis(c.ShareLinkTTLMillis) }

// UploadSessionTTL returns the configured upload session lifetime.
func (c Config) UploadSessionTTL() time.Duration { return millis(c.UploadSessionTTLMillis) }

// LoginSessionTTL returns the configured login session lifetime.
func (c Config) LoginSessionTTL() time.Duration { return millis(c.LoginSessionTTLMillis) }

// FromEnv builds a configuration from a lookup function such as the
// worker's cloudflare.Getenv.
func FromEnv(getenv func(string) string) (Config, error) {
	var c Config
	if raw := getenv("MOSAIC_CONFIG"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return Config{}, fmt.Errorf("config: MOSAIC_CONFIG: %w", err)
		}
	}
	if h, err := strconv.Atoi(getenv("MOSAIC_THUMB_TTL_HOURS")); err == nil && h > 0 {
		c.ThumbTTL = time.Duration(h) * time.Hour
	}
	return c.withDefaults(), nil
}
