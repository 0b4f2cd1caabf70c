// Package config loads the runtime settings shared by the kinglet binaries.
package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Namespaces holds the Workers KV namespace IDs used by the service.
type Namespaces struct {
	Invoices string // invoice numbering, drafts, audit trails
	Sessions string // portal sessions, magic links, one-time codes
	Links    string // payment links and their tokens
	Cache    string // exchange rates and other read-through data
	Keys     string // per-customer API keys
	Dunning  string // dunning schedules and reminder history
}

// Config is the process configuration. It is passed by value; callers
// that need a variant copy it and change one field.
type Config struct {
	AccountID  string
	APIToken   string
	ListenAddr string
	NS         Namespaces

	SessionTTL    time.Duration
	MagicLinkTTL  time.Duration
	PayLinkTTL    time.Duration
	RatesTTL      time.Duration
	ReminderEvery time.Duration
	ListPageSize  int
	MaxListPages  int
}

// Load reads the configuration from the environment.
func Load() (Config, error) {
	c := Config{
		AccountID:  os.Getenv("CF_ACCOUNT_ID"),
		APIToken:   os.Getenv("CF_API_TOKEN"),
		ListenAddr: envOr("LISTEN_ADDR", ":8080"),
		NS: Namespaces{
			Invoices: os.Getenv("KV_NS_INVOICES"),
			Sessions: os.Getenv("KV_NS_SESSIONS"),
			Links:    os.Getenv("KV_NS_LINKS"),
			Cache:    os.Getenv("KV_NS_CACHE"),
			Keys:     os.Getenv("KV_NS_KEYS"),
			Dunning:  os.Getenv("KV_NS_DUNNING"),
		},
		ListPageSize: 500,
		MaxListPages: 40,
	}
	var err error
	if c.SessionTTL, err = durationEnv("SESSION_TTL", 12*time.Hour); err != nil {
		return Config{}, err
	}
	if c.MagicLinkTTL, err = durationEnv("MAGIC_LINK_TTL", 15*time.Minute); err != nil {
		return Config{}, err
	}
	if c.PayLinkTTL, err = durationEnv("PAY_LINK_TTL", 14*24*time.Hour); err != nil {
		return Config{}, err
	}
	if c.RatesTTL, err = durationEnv("RATES_TTL", time.Hour); err != nil {
		return Config{}, err
	}
	if c.ReminderEvery, err = durationEnv("REMINDER_EVERY", 72*time.Hour); err != nil {
		return Config{}, err
	}
	if v := os.Getenv("KV_LIST_PAGE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Config{}, fmt.Errorf("KV_LIST_PAGE_SIZE: %w", err)
		}
		c.ListPageSize = n
	}
	if c.AccountID == "" {
		return Config{}, fmt.Errorf("CF_ACCOUNT_ID is required")
	}
	return c, nil
}

// WithSessionTTL returns a copy of c with a different session lifetime.
func (c Config) WithSessionTTL(d time.Duration) Config {
	c.SessionTTL = d
	return c
}

// RatesTTLSeconds is the rate cache lifetime in whole seconds.
func (c Config) RatesTTLSeconds() int {
	return int(c.RatesTTL.Seconds())
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func durationEnv(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}
