// Package config loads brambling's settings from a JSON file and the
// environment. Durations are written as Go duration strings ("15m", "36h")
// and limits as decimal integers, so both can be overridden from env vars.
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Tier groups cached data by how often it changes upstream.
type Tier int

const (
	TierCold Tier = iota // recipes, nutrition labels
	TierWarm             // weekly menus
	TierHot              // stock figures shown on product pages
)

// TTL is the KV lifetime used for a tier.
func (t Tier) TTL() time.Duration {
	switch t {
	case TierHot:
		return 30 * time.Second
	case TierWarm:
		return 15 * time.Minute
	default:
		return 24 * time.Hour
	}
}

// File mirrors config/brambling.json.
type File struct {
	AccountID   string            `json:"account_id"`
	Namespaces  map[string]string `json:"namespaces"`
	MenuTTL     string            `json:"menu_ttl"`
	LabelTTL    string            `json:"label_ttl"`
	HoldTTL     string            `json:"hold_ttl"`
	SyncEvery   string            `json:"sync_every"`
	MaxPages    string            `json:"max_pages"`
	Regions     []string          `json:"regions"`
	PromoQuotas map[string]string `json:"promo_quotas"`
}

// Config is the parsed, typed form of File plus the environment.
type Config struct {
	APIToken    string
	AccountID   string
	Namespaces  map[string]string
	MenuTTL     time.Duration
	LabelTTL    time.Duration
	HoldTTL     time.Duration
	SyncEvery   time.Duration
	MaxPages    int
	Regions     []string
	PromoQuotas map[string]int
}

// Namespace returns the namespace ID bound to a logical store name.
func (c *Config) Namespace(name string) string {
	if id, ok := c.Namespaces[name]; ok {
		return id
	}
	return os.Getenv("BRAMBLING_NS_" + strings.ToUpper(name))
}

// Load reads path (if non-empty) and then applies BRAMBLING_* overrides.
func Load(path string) (*Config, error) {
	var f File
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	env := func(name, fallback string) string {
		if v, ok := os.LookupEnv("BRAMBLING_" + name); ok && v != "" {
			return v
		}
		return fallback
	}
	dur := func(name, raw, fallback string) (time.Duration, error) {
		s := env(name, raw)
		if s == "" {
			s = fallback
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("config: %s=%q: %w", name, s, err)
		}
		return d, nil
	}
	num := func(name, raw string, fallback int) (int, error) {
		s := env(name, raw)
		if s == "" {
			return fallback, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("config: %s=%q: %w", name, s, err)
		}
		return n, nil
	}

	c := &Config{
		APIToken:    os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID:   env("ACCOUNT_ID", f.AccountID),
		Namespaces:  f.Namespaces,
		Regions:     f.Regions,
		PromoQuotas: map[string]int{},
	}
	var err error
	if c.MenuTTL, err = dur("MENU_TTL", f.MenuTTL, "15m"); err != nil {
		return nil, err
	}
	if c.LabelTTL, err = dur("LABEL_TTL", f.LabelTTL, "168h"); err != nil {
		return nil, err
	}
	if c.HoldTTL, err = dur("HOLD_TTL", f.HoldTTL, "20m"); err != nil {
		return nil, err
	}
	if c.SyncEvery, err = dur("SYNC_EVERY", f.SyncEvery, "5m"); err != nil {
		return nil, err
	}
	if c.MaxPages, err = num("MAX_PAGES", f.MaxPages, 20); err != nil {
		return nil, err
	}
	for code, raw := range f.PromoQuotas {
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, fmt.Errorf("config: promo quota %s: %w", code, err)
		}
		c.PromoQuotas[code] = n
	}
	if len(c.Regions) == 0 {
		c.Regions = strings.Split(env("REGIONS", "uk-south,uk-north,ie"), ",")
	}
	return c, nil
}
