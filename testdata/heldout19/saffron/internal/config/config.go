// Package config holds Saffron's runtime settings. Values come from the
// Worker's environment and can be reloaded without a redeploy.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Config is immutable once published; Reload swaps in a new one.
type Config struct {
	HoldTTL          time.Duration
	SessionTTL       time.Duration
	NotifyWindow     time.Duration
	DraftRetention   time.Duration
	MaxLoginAttempts int
	ReviewsPerHour   int
	SMSDailyQuota    int
	ListPageSize     int
	VisitBonus       int64
	Tenants          map[string]string // restaurant group → KV binding
}

// Default is used for anything the environment leaves unset.
var Default = Config{
	HoldTTL:          10 * time.Minute,
	SessionTTL:       12 * time.Hour,
	NotifyWindow:     10 * time.Minute,
	DraftRetention:   7 * 24 * time.Hour,
	MaxLoginAttempts: 5,
	ReviewsPerHour:   3,
	SMSDailyQuota:    400,
	ListPageSize:     200,
	VisitBonus:       50,
}

var current atomic.Pointer[Config]

// Current returns the published configuration, or Default before Reload.
func Current() *Config {
	if c := current.Load(); c != nil {
		return c
	}
	d := Default
	current.CompareAndSwap(nil, &d)
	return current.Load()
}

// Reload publishes the parsed environment; on error nothing changes.
func Reload(getenv func(string) string) error {
	c, err := Parse(getenv)
	if err != nil {
		return err
	}
	current.Store(c)
	return nil
}

// Parse reads every setting, reporting all problems at once.
func Parse(getenv func(string) string) (*Config, error) {
	c := Default
	var errs []error
	get := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "<undefined>" || v == "<null>" {
			return ""
		}
		return v
	}
	dur := func(name string, dst *time.Duration) {
		if v := get(name); v != "" {
			d, err := time.ParseDuration(v)
			errs = append(errs, wrap(name, err))
			if err == nil {
				*dst = d
			}
		}
	}
	num := func(name string, dst *int64) {
		if v := get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			errs = append(errs, wrap(name, err))
			if err == nil {
				*dst = n
			}
		}
	}
	dur("HOLD_TTL", &c.HoldTTL)
	dur("SESSION_TTL", &c.SessionTTL)
	dur("WAITLIST_NOTIFY_WINDOW", &c.NotifyWindow)
	dur("DRAFT_RETENTION", &c.DraftRetention)
	ints := map[string]*int{
		"MAX_LOGIN_ATTEMPTS": &c.MaxLoginAttempts,
		"REVIEWS_PER_HOUR":   &c.ReviewsPerHour,
		"SMS_DAILY_QUOTA":    &c.SMSDailyQuota,
		"LIST_PAGE_SIZE":     &c.ListPageSize,
	}
	for name, dst := range ints {
		n := int64(*dst)
		num(name, &n)
		*dst = int(n)
	}
	num("VISIT_BONUS", &c.VisitBonus)
	if v := get("TENANT_BINDINGS"); v != "" {
		c.Tenants = make(map[string]string)
		for _, pair := range strings.Split(v, ",") {
			tenant, binding, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || tenant == "" || binding == "" {
				errs = append(errs, fmt.Errorf("TENANT_BINDINGS: bad entry %q", pair))
				continue
			}
			c.Tenants[tenant] = binding
		}
	}
	if c.ListPageSize < 1 || c.ListPageSize > 1000 {
		errs = append(errs, fmt.Errorf("LIST_PAGE_SIZE: %d out of range 1..1000", c.ListPageSize))
	}
	return &c, errors.Join(errs...)
}

func wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}
