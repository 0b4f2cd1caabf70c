// Package config loads wagtail's runtime configuration from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Config is the root configuration. It is passed by value; components keep
// the sub-struct they need.
type Config struct {
	Addr     string
	KV       KV
	Delivery Delivery
	OAuth    OAuth
}

// KV holds the Cloudflare account, namespace IDs and record lifetimes.
type KV struct {
	AccountID  string
	APIToken   string
	Namespaces Namespaces
	TTL        TTLs
}

// Namespaces maps each logical store to a Workers KV namespace ID.
type Namespaces struct {
	Keys     string // tenants, API keys, plans, OAuth connections
	Hooks    string // subscriptions, deliveries, logs
	Sessions string // dashboard sessions, OAuth state
	Cache    string // response, token and probe caches
}

// TTLs are the lifetimes of the records that expire.
type TTLs struct {
	Session       time.Duration
	ResponseCache time.Duration
}

// Delivery tunes the webhook sender.
type Delivery struct {
	MaxAttempts int
	Timeout     time.Duration
	Backoff     time.Duration
	RateWindow  time.Duration
	RatePerMin  int
}

// OAuth configures third-party connections.
type OAuth struct {
	RedirectBase string
	Providers    map[string]Provider
}

// Provider is one OAuth 2.0 provider.
type Provider struct {
	ClientID, ClientSecret string
	AuthURL, TokenURL      string
	Scopes                 []string
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.KV.TTL.Session == 0 {
		c.KV.TTL.Session = 12 * time.Hour
	}
	if c.KV.TTL.ResponseCache == 0 {
		c.KV.TTL.ResponseCache = 30 * time.Second // DEBATABLE kvttl
	}
	if c.Delivery.MaxAttempts == 0 {
		c.Delivery.MaxAttempts = 8
	}
	if c.Delivery.Timeout == 0 {
		c.Delivery.Timeout = 15 * time.Second
	}
	if c.Delivery.Backoff == 0 {
		c.Delivery.Backoff = 2 * time.Second
	}
	if c.Delivery.RateWindow == 0 {
		c.Delivery.RateWindow = time.Minute
	}
	if c.Delivery.RatePerMin == 0 {
		c.Delivery.RatePerMin = 600
	}
	return c
}

// Load reads the configuration from the environment and merges defaults.
func Load() (Config, error) {
	c := Config{Addr: os.Getenv("WAGTAIL_ADDR")}
	c.KV.AccountID = os.Getenv("CF_ACCOUNT_ID")
	c.KV.APIToken = os.Getenv("CF_API_TOKEN")
	c.KV.Namespaces = Namespaces{
		Keys:     os.Getenv("WAGTAIL_NS_KEYS"),
		Hooks:    os.Getenv("WAGTAIL_NS_HOOKS"),
		Sessions: os.Getenv("WAGTAIL_NS_SESSIONS"),
		Cache:    os.Getenv("WAGTAIL_NS_CACHE"),
	}
	c.OAuth.RedirectBase = os.Getenv("WAGTAIL_PUBLIC_URL")
	for name, dst := range map[string]*time.Duration{
		"WAGTAIL_SESSION_TTL":        &c.KV.TTL.Session,
		"WAGTAIL_RESPONSE_CACHE_TTL": &c.KV.TTL.ResponseCache,
		"WAGTAIL_RATE_WINDOW":        &c.Delivery.RateWindow,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
			*dst = d
		}
	}
	if v := os.Getenv("WAGTAIL_MAX_ATTEMPTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("WAGTAIL_MAX_ATTEMPTS: %w", err)
		}
		c.Delivery.MaxAttempts = n
	}
	if c.KV.AccountID == "" || c.KV.APIToken == "" {
		return c, fmt.Errorf("config: CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	return c.withDefaults(), nil
}
