// Package config loads service configuration from a JSON document and the
// environment. Durations are written the way time.ParseDuration reads them.
package config

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is passed down by value; nothing mutates it after Load returns.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string

	SessionTTL      time.Duration
	SessionIdle     time.Duration
	CodeTTL         time.Duration
	ConfigCacheTTL  time.Duration
	ConfigRefresh   time.Duration
	ExportTTL       time.Duration
	RateWindow      time.Duration
	RateLimit       int
	SyncInterval    time.Duration
	ListPageSize    int
	MaxListPages    int
	CompactInterval time.Duration
}

// Getenv is the environment lookup used by Load; the Worker build replaces it
// with the binding environment.
type Getenv func(string) string

// Defaults are applied with cmp.Or to anything left empty.
var Defaults = Config{
	SessionTTL:      12 * time.Hour,
	SessionIdle:     30 * time.Minute,
	CodeTTL:         10 * time.Minute,
	ConfigCacheTTL:  5 * time.Minute,
	ConfigRefresh:   2 * time.Minute,
	ExportTTL:       72 * time.Hour,
	RateWindow:      time.Minute,
	RateLimit:       120,
	SyncInterval:    15 * time.Minute,
	ListPageSize:    500,
	MaxListPages:    20,
	CompactInterval: time.Hour,
}

// Parse decodes raw JSON (may be empty) and overlays environment variables,
// whose names are the JSON names in upper case.
func Parse(raw []byte, env Getenv) (Config, error) {
	file := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &file); err != nil {
			return Config{}, fmt.Errorf("config: decode: %w", err)
		}
	}
	if env == nil {
		env = os.Getenv
	}
	lookup := func(name string) string {
		if v, ok := file[name]; ok {
			return cmp.Or(env(strings.ToUpper(name)), fmt.Sprint(v))
		}
		return env(strings.ToUpper(name))
	}
	var errs []string
	dur := func(name string, def time.Duration) time.Duration {
		s := lookup(name)
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			errs = append(errs, name+": "+err.Error())
			return def
		}
		return cmp.Or(d, def)
	}
	num := func(name string, def int) int {
		n, _ := strconv.Atoi(lookup(name))
		return cmp.Or(n, def)
	}

	c := Config{
		AccountID:       lookup("cf_account_id"),
		NamespaceID:     lookup("cf_kv_namespace_id"),
		APIToken:        env("CF_API_TOKEN"),
		SessionTTL:      dur("session_ttl", Defaults.SessionTTL),
		SessionIdle:     dur("session_idle", Defaults.SessionIdle),
		CodeTTL:         dur("code_ttl", Defaults.CodeTTL),
		ConfigCacheTTL:  dur("config_cache_ttl", Defaults.ConfigCacheTTL),
		ConfigRefresh:   dur("config_refresh", Defaults.ConfigRefresh),
		ExportTTL:       dur("export_ttl", Defaults.ExportTTL),
		RateWindow:      dur("rate_window", Defaults.RateWindow),
		RateLimit:       num("rate_limit", Defaults.RateLimit),
		SyncInterval:    dur("sync_interval", Defaults.SyncInterval),
		ListPageSize:    num("list_page_size", Defaults.ListPageSize),
		MaxListPages:    num("max_list_pages", Defaults.MaxListPages),
		CompactInterval: dur("compact_interval", Defaults.CompactInterval),
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// Load reads the file at path (optional) and the process environment.
func Load(path string) (Config, error) {
	var raw []byte
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, err
		}
		raw = b
	}
	return Parse(raw, os.Getenv)
}
