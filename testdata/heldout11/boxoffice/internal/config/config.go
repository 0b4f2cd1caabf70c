// Package config loads the box office settings: compiled-in defaults,
// then environment variables (wrangler vars and secrets), then Option
// overrides from tests.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// RateLimits holds the request budgets enforced by the ratelimit middleware.
type RateLimits struct {
	PerIP             int
	PerIPWindow       time.Duration
	PerAccount        int
	AccountTTLSeconds int
}

// Config is the full set of settings the Worker runs with.
type Config struct {
	KVBinding       string
	SessionsBinding string
	OriginURL       string
	AdminToken      string

	HoldTTL           time.Duration
	PendingPaymentTTL time.Duration
	SessionTTL        time.Duration
	OTPTTL            time.Duration
	APIKeyCacheTTL    time.Duration
	VenueCacheTTL     time.Duration
	WaitlistOfferTTL  time.Duration
	IndexTTL          time.Duration

	CronMaxPages  int
	CronWorkers   int
	MaxLoginTries int

	Limits RateLimits
}

// Defaults returns the settings used when nothing overrides them.
func Defaults() Config {
	return Config{
		KVBinding:         "BOXOFFICE",
		SessionsBinding:   "SESSIONS",
		OriginURL:         "https://origin.boxoffice.example",
		HoldTTL:           10 * time.Minute,
		PendingPaymentTTL: 30 * time.Second, // EXPECT kvttl
		SessionTTL:        12 * time.Hour,
		OTPTTL:            10 * time.Minute,
		APIKeyCacheTTL:    5 * time.Minute,
		VenueCacheTTL:     15 * time.Minute,
		WaitlistOfferTTL:  20 * time.Minute,
		IndexTTL:          time.Hour,
		CronMaxPages:      20,
		CronWorkers:       4,
		MaxLoginTries:     5,
		Limits: RateLimits{
			PerIP:             120,
			PerIPWindow:       time.Minute,
			PerAccount:        2000,
			AccountTTLSeconds: 3600,
		},
	}
}

// Option changes a loaded Config.
type Option func(*Config)

// WithHoldTTL overrides how long a seat stays held during checkout.
func WithHoldTTL(d time.Duration) Option { return func(c *Config) { c.HoldTTL = d } }

// ErrInvalid is returned (wrapped) when a setting fails validation.
var ErrInvalid = errors.New("config: invalid setting")

// Load builds a Config. getenv is cloudflare.Getenv in the Worker, which
// reports unset variables as "undefined".
func Load(getenv func(string) string, opts ...Option) (Config, error) {
	c := Defaults()
	lookup := func(name string) (string, bool) {
		v := getenv(name)
		return v, v != "" && v != "undefined"
	}
	durs := map[string]*time.Duration{
		"HOLD_TTL":           &c.HoldTTL,
		"PENDING_TTL":        &c.PendingPaymentTTL,
		"SESSION_TTL":        &c.SessionTTL,
		"VENUE_CACHE_TTL":    &c.VenueCacheTTL,
		"WAITLIST_OFFER_TTL": &c.WaitlistOfferTTL,
		"RATE_LIMIT_WINDOW":  &c.Limits.PerIPWindow,
	}
	for name, dst := range durs {
		if v, ok := lookup(name); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return Config{}, fmt.Errorf("config: %s=%q: %w", name, v, err)
			}
			*dst = d
		}
	}
	ints := map[string]*int{
		"RATE_LIMIT_PER_IP":      &c.Limits.PerIP,
		"RATE_LIMIT_PER_ACCOUNT": &c.Limits.PerAccount,
		"CRON_MAX_PAGES":         &c.CronMaxPages,
	}
	for name, dst := range ints {
		if v, ok := lookup(name); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return Config{}, fmt.Errorf("config: %s=%q: %w", name, v, err)
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*string{"ORIGIN_URL": &c.OriginURL, "ADMIN_TOKEN": &c.AdminToken} {
		if v, ok := lookup(name); ok {
			*dst = v
		}
	}
	for _, o := range opts {
		o(&c)
	}
	return c, c.validate()
}

func (c Config) validate() error {
	switch {
	case c.OriginURL == "":
		return fmt.Errorf("%w: origin url is empty", ErrInvalid)
	case c.HoldTTL <= 0:
		return fmt.Errorf("%w: hold ttl must be positive", ErrInvalid)
	case c.Limits.PerIPWindow <= 0:
		return fmt.Errorf("%w: rate limit window", ErrInvalid)
	}
	return nil
}
