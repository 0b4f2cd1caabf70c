// Package config loads halyard's settings from the environment and keeps
// the current copy in an atomic pointer so SIGHUP can swap it in place.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Config is immutable once published; Reload replaces it wholesale.
type Config struct {
	AccountID    string
	APIToken     string
	LegacyToken  string
	NamespaceID  string
	TenantSpaces map[string]string // tenant -> namespace ID

	QuoteTTL        time.Duration
	SessionTTL      time.Duration
	RefreshTTL      time.Duration
	HoldWindow      time.Duration
	DraftTTL        time.Duration
	PrefsCacheTTL   time.Duration
	ManifestPageMax int
	SMSDailyQuota   int
	WebhookSecret   string
	ListenAddr      string
}

var current atomic.Pointer[Config]

// Current returns the published configuration. It panics if Load was never
// called, which is a wiring bug.
func Current() *Config {
	c := current.Load()
	if c == nil {
		panic("config: Current called before Load")
	}
	return c
}

// Publish swaps in c; used by Load and by tests.
func Publish(c *Config) { current.Store(c) }

// Load reads the environment and publishes the result.
func Load() (*Config, error) {
	c, err := FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	Publish(c)
	return c, nil
}

// FromEnv parses settings using getenv.
func FromEnv(getenv func(string) string) (*Config, error) {
	var errs []error
	dur := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return d
	}
	num := func(name string, def int) int {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return def
		}
		return n
	}
	c := &Config{
		AccountID:       getenv("CF_ACCOUNT_ID"),
		APIToken:        getenv("CF_API_TOKEN"),
		LegacyToken:     getenv("CF_LEGACY_API_TOKEN"),
		NamespaceID:     getenv("HALYARD_KV_NAMESPACE"),
		TenantSpaces:    parseTenantSpaces(getenv("HALYARD_TENANT_NAMESPACES")),
		QuoteTTL:        dur("HALYARD_QUOTE_TTL", 15*time.Minute),
		SessionTTL:      dur("HALYARD_SESSION_TTL", 12*time.Hour),
		RefreshTTL:      dur("HALYARD_REFRESH_TTL", 30*24*time.Hour),
		HoldWindow:      dur("HALYARD_HOLD_WINDOW", 20*time.Minute),
		DraftTTL:        dur("HALYARD_DRAFT_TTL", 72*time.Hour),
		PrefsCacheTTL:   dur("HALYARD_PREFS_CACHE_TTL", 5*time.Minute),
		ManifestPageMax: num("HALYARD_MANIFEST_PAGE_MAX", 50),
		SMSDailyQuota:   num("HALYARD_SMS_DAILY_QUOTA", 20),
		WebhookSecret:   getenv("HALYARD_WEBHOOK_SECRET"),
		ListenAddr:      getenv("HALYARD_LISTEN"),
	}
	if c.ListenAddr == "" {
		c.ListenAddr = ":8080"
	}
	if c.AccountID == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID is required"))
	}
	if c.NamespaceID == "" {
		errs = append(errs, errors.New("HALYARD_KV_NAMESPACE is required"))
	}
	return c, errors.Join(errs...)
}

// parseTenantSpaces reads "acme=ns1,globex=ns2".
func parseTenantSpaces(s string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		tenant, ns, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && tenant != "" && ns != "" {
			out[tenant] = ns
		}
	}
	return out
}

// Namespace returns the namespace for tenant, falling back to the default.
func (c *Config) Namespace(tenant string) string {
	if ns, ok := c.TenantSpaces[tenant]; ok {
		return ns
	}
	return c.NamespaceID
}
