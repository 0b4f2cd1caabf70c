// Package config loads service settings from a JSON document and the
// environment. Durations are written as Go duration strings ("90s", "24h").
package config

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config holds every tunable of the service. It is passed by value.
type Config struct {
	Region         string
	SessionTTL     time.Duration
	LoginLinkTTL   time.Duration
	RecipeCacheTTL time.Duration
	MenuCacheTTL   time.Duration
	SlotHoldTTL    time.Duration
	PromoCacheTTL  time.Duration
	FlushInterval  time.Duration
	LoginPerHour   int
	MaxListPages   int
	AccountID      string
	NamespaceID    string
	APIToken       string
	KitchenOrigin  string
}

type raw struct {
	Region         string `json:"region"`
	SessionTTL     string `json:"session_ttl"`
	LoginLinkTTL   string `json:"login_link_ttl"`
	RecipeCacheTTL string `json:"recipe_cache_ttl"`
	MenuCacheTTL   string `json:"menu_cache_ttl"`
	SlotHoldTTL    string `json:"slot_hold_ttl"`
	PromoCacheTTL  string `json:"promo_cache_ttl"`
	FlushInterval  string `json:"flush_interval"`
	LoginPerHour   int    `json:"login_per_hour"`
	MaxListPages   int    `json:"max_list_pages"`
	KitchenOrigin  string `json:"kitchen_origin"`
}

// Parse decodes doc (which may be empty) and fills in defaults.
func Parse(doc []byte) (Config, error) {
	var r raw
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &r); err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
	}
	var c Config
	var err error
	c.Region = cmp.Or(r.Region, os.Getenv("THISTLE_REGION"), "eu")
	if c.SessionTTL, err = dur("session_ttl", cmp.Or(r.SessionTTL, os.Getenv("THISTLE_SESSION_TTL"), "720h")); err != nil {
		return c, err
	}
	if c.LoginLinkTTL, err = dur("login_link_ttl", cmp.Or(r.LoginLinkTTL, "15m")); err != nil {
		return c, err
	}
	if c.RecipeCacheTTL, err = dur("recipe_cache_ttl", cmp.Or(r.RecipeCacheTTL, "10m")); err != nil {
		return c, err
	}
	if c.MenuCacheTTL, err = dur("menu_cache_ttl", cmp.Or(r.MenuCacheTTL, "5m")); err != nil {
		return c, err
	}
	if c.SlotHoldTTL, err = dur("slot_hold_ttl", cmp.Or(r.SlotHoldTTL, "10m")); err != nil {
		return c, err
	}
	if c.PromoCacheTTL, err = dur("promo_cache_ttl", cmp.Or(r.PromoCacheTTL, "2m")); err != nil {
		return c, err
	}
	if c.FlushInterval, err = dur("flush_interval", cmp.Or(r.FlushInterval, "1m")); err != nil {
		return c, err
	}
	c.LoginPerHour = cmp.Or(r.LoginPerHour, envInt("THISTLE_LOGIN_PER_HOUR"), 5)
	c.MaxListPages = cmp.Or(r.MaxListPages, 20)
	c.KitchenOrigin = cmp.Or(r.KitchenOrigin, os.Getenv("THISTLE_KITCHEN_ORIGIN"), "https://kitchen.internal")
	c.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.NamespaceID = os.Getenv("CF_KV_NAMESPACE_ID")
	c.APIToken = os.Getenv("CF_API_TOKEN")
	return c, nil
}

// FromEnv reads THISTLE_CONFIG (a JSON document) and parses it.
func FromEnv() (Config, error) {
	return Parse([]byte(os.Getenv("THISTLE_CONFIG")))
}

func dur(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	if d < 0 {
		return 0, fmt.Errorf("config: %s must not be negative", name)
	}
	return d, nil
}

func envInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}
