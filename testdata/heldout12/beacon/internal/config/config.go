// Package config loads beacon's configuration from the environment. Every
// setting has a default; durations use time.ParseDuration syntax.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"example.com/beacon/internal/consts"
)

// Config is the root of the configuration tree.
type Config struct {
	Cloudflare struct {
		AccountID, APIToken string
		Namespaces          Namespaces
	}
	Storage struct {
		Sessions struct{ TTL, IdleTimeout, RefreshTTL time.Duration }
		Devices  struct{ TTL, ProvisionalTTL time.Duration }
		Receipts struct {
			TTL                  time.Duration
			MaxPages, PurgeBatch int
		}
		Tenants struct{ CacheTTL time.Duration }
	}
	HTTP struct {
		Addr            string
		ShutdownTimeout time.Duration
	}
	Push      struct{ Parallelism int }
	Scheduler struct {
		Enabled  bool
		Interval time.Duration
		Owner    string
	}
	Quota struct {
		DefaultDaily, BurstLimit int
		BurstWindow              time.Duration
	}
	Legacy struct {
		APIToken, NamespaceID string
		ImportTTL             time.Duration
	}
}

// Namespaces maps each logical store to a Workers KV namespace ID.
type Namespaces struct {
	Devices, Sessions, Campaigns, Receipts, Tenants string
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration through getenv, which tests replace.
func LoadFrom(getenv func(string) string) (*Config, error) {
	p := parser{getenv: getenv}
	host, _ := os.Hostname()
	c := &Config{}

	c.Cloudflare.AccountID = p.str("CF_ACCOUNT_ID", "")
	c.Cloudflare.APIToken = p.str("CF_API_TOKEN", "")
	c.Cloudflare.Namespaces = Namespaces{
		Devices:   p.str("BEACON_NS_DEVICES", ""),
		Sessions:  p.str("BEACON_NS_SESSIONS", ""),
		Campaigns: p.str("BEACON_NS_CAMPAIGNS", ""),
		Receipts:  p.str("BEACON_NS_RECEIPTS", ""),
		Tenants:   p.str("BEACON_NS_TENANTS", ""),
	}

	s := &c.Storage
	s.Sessions.TTL = p.dur("BEACON_SESSION_TTL", consts.SessionTTL.String())
	s.Sessions.IdleTimeout = p.dur("BEACON_SESSION_IDLE", consts.SessionIdle.String())
	s.Sessions.RefreshTTL = p.dur("BEACON_REFRESH_TTL", "720h")
	s.Devices.TTL = p.dur("BEACON_DEVICE_TTL", "2880h")
	s.Devices.ProvisionalTTL = p.dur("BEACON_DEVICE_PROVISIONAL_TTL", "45s") // DEBATABLE kvttl
	s.Receipts.TTL = p.dur("BEACON_RECEIPT_TTL", "720h")
	s.Receipts.MaxPages = p.int("BEACON_RECEIPT_MAX_PAGES", 10)
	s.Receipts.PurgeBatch = p.int("BEACON_RECEIPT_PURGE_BATCH", consts.BulkWriteMax)
	s.Tenants.CacheTTL = p.dur("BEACON_TENANT_CACHE_TTL", consts.TenantCacheTTL.String())

	c.HTTP.Addr = p.str("BEACON_ADDR", ":8080")
	c.HTTP.ShutdownTimeout = p.dur("BEACON_SHUTDOWN_TIMEOUT", "20s")
	c.Push.Parallelism = p.int("BEACON_PUSH_PARALLEL", 16)
	c.Scheduler.Enabled = p.str("BEACON_SCHEDULER", "on") != "off"
	c.Scheduler.Interval = p.dur("BEACON_SCHEDULER_INTERVAL", consts.SchedulerPeriod.String())
	c.Scheduler.Owner = p.str("BEACON_INSTANCE", host)
	c.Quota.DefaultDaily = p.int("BEACON_QUOTA_DAILY", consts.DefaultDaily)
	c.Quota.BurstWindow = p.dur("BEACON_QUOTA_BURST_WINDOW", "10s")
	c.Quota.BurstLimit = p.int("BEACON_QUOTA_BURST", 20)
	c.Legacy.APIToken = p.str("LEGACY_CF_API_TOKEN", "")
	c.Legacy.NamespaceID = p.str("LEGACY_NS", "")
	c.Legacy.ImportTTL = p.dur("LEGACY_IMPORT_TTL", "168h")
	return c, errors.Join(p.errs...)
}

// Validate reports settings that make the server unusable.
func (c *Config) Validate() error {
	if c.Cloudflare.AccountID == "" || c.Cloudflare.APIToken == "" || c.Cloudflare.Namespaces.Devices == "" {
		return errors.New("config: CF_ACCOUNT_ID, CF_API_TOKEN and BEACON_NS_DEVICES are required")
	}
	if c.Push.Parallelism < 1 {
		return fmt.Errorf("config: BEACON_PUSH_PARALLEL must be positive, got %d", c.Push.Parallelism)
	}
	return nil
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) dur(name, def string) time.Duration {
	d, err := time.ParseDuration(p.str(name, def))
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
	}
	return d
}

func (p *parser) int(name string, def int) int {
	n, err := strconv.Atoi(p.str(name, strconv.Itoa(def)))
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return n
}
