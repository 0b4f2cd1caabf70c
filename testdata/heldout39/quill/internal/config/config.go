// Package config loads quill's settings from a JSON file, then QUILL_*
// environment variables, then command-line flags.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads "90s" or "15m" from JSON.
type Duration struct{ time.Duration }

// UnmarshalJSON parses a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("config: duration %q: %w", s, err)
	}
	d.Duration = v
	return nil
}

// Namespaces maps logical stores to KV namespace IDs (REST) or binding names
// (Worker). Writers on the Pro plan get their own namespace in Tenants.
type Namespaces struct {
	Default  string            `json:"default"`
	Sessions string            `json:"sessions"`
	Posts    string            `json:"posts"`
	Stats    string            `json:"stats"`
	Tenants  map[string]string `json:"tenants"`
}

type Cache struct {
	PostTTL      Duration `json:"post_ttl"`
	LocalEntries int      `json:"local_entries"`
	EdgeCacheTTL Duration `json:"edge_cache_ttl"`
}

type Sessions struct {
	Lifetime     Duration `json:"lifetime"`
	MagicLinkTTL Duration `json:"magic_link_ttl"`
	CookieName   string   `json:"cookie_name"`
}

type Scheduler struct {
	Tick        Duration `json:"tick"`
	MaxPages    int      `json:"max_pages"`
	ImportBatch int      `json:"import_batch"`
}

type Tracking struct {
	FlushEvery     Duration `json:"flush_every"`
	SuppressWindow Duration `json:"suppress_window"`
}

// Config is the whole configuration. It is small and passed by value.
type Config struct {
	AccountID  string     `json:"account_id"`
	APIToken   string     `json:"-"`
	Origin     string     `json:"origin"`
	Namespaces Namespaces `json:"namespaces"`
	Cache      Cache      `json:"cache"`
	Sessions   Sessions   `json:"sessions"`
	Scheduler  Scheduler  `json:"scheduler"`
	Tracking   Tracking   `json:"tracking"`
}

// Defaults is the configuration used when nothing else is set.
func Defaults() Config {
	return Config{
		Origin:    "https://origin.quill.pub",
		Cache:     Cache{PostTTL: Duration{10 * time.Minute}, LocalEntries: 512, EdgeCacheTTL: Duration{2 * time.Minute}},
		Sessions:  Sessions{Lifetime: Duration{30 * 24 * time.Hour}, MagicLinkTTL: Duration{15 * time.Minute}, CookieName: "quill_sid"},
		Scheduler: Scheduler{Tick: Duration{time.Minute}, MaxPages: 20, ImportBatch: 5000},
		Tracking:  Tracking{FlushEvery: Duration{30 * time.Second}},
	}
}

// Load reads path (if set) over the defaults and applies the environment.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	cfg := Defaults()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return cfg, fmt.Errorf("config: decode %s: %w", path, err)
		}
	}
	var errs []error
	env := func(name string, set func(string) error) {
		if v, ok := lookup(name); ok && v != "" {
			if err := set(v); err != nil {
				errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
			}
		}
	}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	dur := func(dst *Duration) func(string) error {
		return func(v string) (err error) { dst.Duration, err = time.ParseDuration(v); return err }
	}
	env("QUILL_ACCOUNT_ID", str(&cfg.AccountID))
	env("QUILL_API_TOKEN", str(&cfg.APIToken))
	env("QUILL_ORIGIN", str(&cfg.Origin))
	env("QUILL_NS_DEFAULT", str(&cfg.Namespaces.Default))
	env("QUILL_NS_SESSIONS", str(&cfg.Namespaces.Sessions))
	env("QUILL_NS_POSTS", str(&cfg.Namespaces.Posts))
	env("QUILL_NS_STATS", str(&cfg.Namespaces.Stats))
	env("QUILL_POST_TTL", dur(&cfg.Cache.PostTTL))
	env("QUILL_SESSION_LIFETIME", dur(&cfg.Sessions.Lifetime))
	env("QUILL_MAGIC_LINK_TTL", dur(&cfg.Sessions.MagicLinkTTL))
	env("QUILL_FLUSH_EVERY", dur(&cfg.Tracking.FlushEvery))
	env("QUILL_SCHED_MAX_PAGES", func(v string) (err error) { cfg.Scheduler.MaxPages, err = strconv.Atoi(v); return err })
	env("QUILL_TENANTS", func(v string) error {
		cfg.Namespaces.Tenants = map[string]string{}
		for _, pair := range strings.Split(v, ",") {
			writer, ns, ok := strings.Cut(pair, "=")
			if !ok {
				return fmt.Errorf("bad pair %q", pair)
			}
			cfg.Namespaces.Tenants[strings.TrimSpace(writer)] = strings.TrimSpace(ns)
		}
		return nil
	})
	return cfg, errors.Join(errs...)
}

// BindFlags registers flags that override cfg after Load.
func BindFlags(fs *flag.FlagSet, cfg *Config) {
	fs.StringVar(&cfg.Namespaces.Default, "namespace", cfg.Namespaces.Default, "default KV namespace ID")
	fs.DurationVar(&cfg.Cache.PostTTL.Duration, "post-ttl", cfg.Cache.PostTTL.Duration, "lifetime of cached posts")
	fs.IntVar(&cfg.Scheduler.MaxPages, "max-pages", cfg.Scheduler.MaxPages, "list pages per scheduler run")
	fs.DurationVar(&cfg.Tracking.SuppressWindow.Duration, "suppress-window", 30*time.Second, "how long an address is skipped after a bounce")
}
