// Package config loads Tundra's runtime configuration from the environment.
//
// Everything is read once at start-up by cmd/tundra and handed down to the
// components that need it; nothing below this package reads os.Getenv.
package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Plan describes the metering limits of one commercial plan.
type Plan struct {
	Name              string
	Tier              string
	RequestsPerMinute int
	MonthlyQuota      int64
	// SnapshotTTLSeconds is how long a usage snapshot stays readable.
	SnapshotTTLSeconds int64
}

// Config is the whole service configuration.
type Config struct {
	ListenAddr, AccountID, APIToken string
	// Legacy credentials for the CRM bridge, which still runs on the v0 client.
	LegacyAPIKey, LegacyEmail string

	KeysNamespace, UsageNamespace, CacheNamespace, PortalNamespace string
	PartnersNamespace, WebhookNamespace, LegacyNamespace           string

	SessionTTLSeconds int64
	CatalogTTLSeconds int64
	RevocationTTL     time.Duration
	IdempotencyTTL    time.Duration
	DedupeWindow      time.Duration
	RateWindow        time.Duration
	CatalogFillWait   time.Duration

	WebhookSecret []byte
	Plans         map[string]Plan
}

const defaultPlans = "free:free:60:10000:3600,growth:paid:600:1000000:86400,scale:enterprise:6000:0:604800"

// Load reads the configuration from the process environment.
func Load() (*Config, error) {
	var errs []error
	str := func(k, def string) string {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
		return def
	}
	i64 := func(k string, def int64) int64 {
		n, err := strconv.ParseInt(str(k, strconv.FormatInt(def, 10)), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
		return n
	}
	dur := func(k string, def time.Duration) time.Duration {
		d, err := time.ParseDuration(str(k, def.String()))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
		return d
	}
	c := &Config{
		ListenAddr: str("TUNDRA_LISTEN", ":8080"), AccountID: str("CF_ACCOUNT_ID", ""), APIToken: str("CF_API_TOKEN", ""),
		LegacyAPIKey: str("CF_API_KEY", ""), LegacyEmail: str("CF_API_EMAIL", ""),
		KeysNamespace: str("TUNDRA_KV_KEYS", ""), UsageNamespace: str("TUNDRA_KV_USAGE", ""),
		CacheNamespace: str("TUNDRA_KV_CACHE", ""), PortalNamespace: str("TUNDRA_KV_PORTAL", ""),
		PartnersNamespace: str("TUNDRA_KV_PARTNERS", ""), WebhookNamespace: str("TUNDRA_KV_WEBHOOKS", ""),
		LegacyNamespace:   str("TUNDRA_KV_LEGACY", ""),
		SessionTTLSeconds: i64("TUNDRA_SESSION_TTL_SECONDS", 8*3600),
		CatalogTTLSeconds: i64("TUNDRA_CATALOG_TTL_SECONDS", 900),
		RevocationTTL:     dur("TUNDRA_REVOCATION_TTL", 30*24*time.Hour),
		IdempotencyTTL:    dur("TUNDRA_IDEMPOTENCY_TTL", 24*time.Hour),
		DedupeWindow:      dur("TUNDRA_WEBHOOK_DEDUPE_WINDOW", 10*time.Minute),
		RateWindow:        dur("TUNDRA_RATE_WINDOW", time.Minute),
		CatalogFillWait:   dur("TUNDRA_CATALOG_FILL_WAIT", 2*time.Second),
		Plans:             map[string]Plan{},
	}
	if s := str("TUNDRA_WEBHOOK_SECRET", ""); s != "" {
		b, err := hex.DecodeString(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("TUNDRA_WEBHOOK_SECRET: %w", err))
		}
		c.WebhookSecret = b
	}
	// TUNDRA_PLANS: "name:tier:rpm:quota:snapshotTTLSeconds", comma separated.
	for _, item := range strings.Split(str("TUNDRA_PLANS", defaultPlans), ",") {
		f := strings.Split(strings.TrimSpace(item), ":")
		if len(f) != 5 {
			errs = append(errs, fmt.Errorf("TUNDRA_PLANS: bad entry %q", item))
			continue
		}
		rpm, err1 := strconv.Atoi(f[2])
		quota, err2 := strconv.ParseInt(f[3], 10, 64)
		ttl, err3 := strconv.ParseInt(f[4], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			errs = append(errs, fmt.Errorf("TUNDRA_PLANS: %q: %w", f[0], err))
			continue
		}
		c.Plans[f[0]] = Plan{Name: f[0], Tier: f[1], RequestsPerMinute: rpm, MonthlyQuota: quota, SnapshotTTLSeconds: ttl}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// PlanFor returns the named plan, falling back to the free plan.
func (c *Config) PlanFor(name string) Plan {
	if p, ok := c.Plans[name]; ok {
		return p
	}
	return c.Plans["free"]
}
