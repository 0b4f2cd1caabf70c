// Package config loads the service configuration: the embedded defaults,
// then the file named by ORCHARD_CONFIG, then the environment, and finally
// withDefaults for anything still unset.
package config

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:embed defaults.json
var defaultsJSON []byte

// Duration decodes from "90s"-style strings or a bare number of seconds.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("config: bad duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("config: bad duration %s: %w", b, err)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

func (d Duration) D() time.Duration { return time.Duration(d) }

type Namespaces struct {
	Catalog, Sessions, Orders, Stats, Ops, Legacy string
}

// KeyFormats are the fmt patterns for keys, kept in config so staging and
// production can share a namespace with different prefixes.
type KeyFormats struct {
	Limits  string `json:"limits"`
	Profile string `json:"profile"`
	Prefs   string `json:"prefs"`
	Views   string `json:"views"`
	Session string `json:"session"`
	Cart    string `json:"cart"`
	Quota   string `json:"quota"`
	Order   string `json:"order"`
	Events  string `json:"events"`
}

type Catalog struct {
	CacheTTL     Duration `json:"cache_ttl"`
	LocalTTL     Duration `json:"local_ttl"`
	RefreshAhead Duration `json:"refresh_ahead"`
}

type Session struct {
	TTL  Duration `json:"ttl"`
	Idle Duration `json:"idle"`
}

type RateLimit struct {
	Capacity     float64 `json:"capacity"`
	RefillPerSec float64 `json:"refill_per_sec"`
}

type Outbox struct {
	TTL      Duration `json:"ttl"`
	MaxPages int      `json:"max_pages"`
	PageSize int      `json:"page_size"`
}

type Config struct {
	Listen     string     `json:"listen"`
	AccountID  string     `json:"account_id"`
	APIToken   string     `json:"-"`
	Namespaces Namespaces `json:"namespaces"`
	Keys       KeyFormats `json:"keys"`
	Catalog    Catalog    `json:"catalog"`
	Session    Session    `json:"session"`
	RateLimit  RateLimit  `json:"rate_limit"`
	Outbox     Outbox     `json:"outbox"`
	Admin      struct {
		PageBudget int `json:"page_budget"`
		PageSize   int `json:"page_size"`
	} `json:"admin"`
	Billing struct {
		PlanTTL       Duration `json:"plan_ttl"`
		WebhookSecret string   `json:"webhook_secret"`
	} `json:"billing"`
	Legacy struct {
		PriceTTL    Duration `json:"price_ttl"`
		PromoWindow Duration `json:"promo_window"`
	} `json:"legacy"`
}

var ErrMissing = errors.New("config: required setting missing")

// Load builds the configuration for the running process.
func Load() (*Config, error) {
	var file []byte
	if path := os.Getenv("ORCHARD_CONFIG"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		file = b
	}
	c, err := Parse(file)
	if err != nil {
		return nil, err
	}
	if v := os.Getenv("CF_ACCOUNT_ID"); v != "" {
		c.AccountID = v
	}
	c.APIToken = os.Getenv("CF_API_TOKEN")
	if c.AccountID == "" {
		return nil, fmt.Errorf("%w: account_id", ErrMissing)
	}
	return c, nil
}

// Parse decodes b (which may be empty) over the embedded defaults.
func Parse(b []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(defaultsJSON, &c); err != nil {
		return nil, fmt.Errorf("config: embedded defaults: %w", err)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, err
		}
	}
	c = c.withDefaults()
	return &c, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

func (c Config) withDefaults() Config {
	k := &c.Keys
	setDefault(&k.Limits, "acct/%s/limits")
	setDefault(&k.Profile, "grower/%[1]s/profile")
	setDefault(&k.Prefs, "grower/%[1]s/prefs")
	setDefault(&k.Views, "views:%s:%d")
	setDefault(&k.Session, "sess/%s")
	setDefault(&k.Cart, "cart/%s")
	setDefault(&k.Quota, "quota/%[1]s/%[2]s")
	setDefault(&k.Order, "orders/%s")
	setDefault(&k.Events, "orders/%[1]s/events/")
	// A file that zeroes these would break paging and caching outright.
	setDefault(&c.Catalog.LocalTTL, Duration(30*time.Second))
	setDefault(&c.Session.Idle, Duration(2*time.Hour))
	setDefault(&c.RateLimit.RefillPerSec, 0.5)
	setDefault(&c.Outbox.MaxPages, 20)
	setDefault(&c.Admin.PageBudget, 200)
	return c
}
