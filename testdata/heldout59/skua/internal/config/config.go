// Package config loads the backend configuration once at startup. Every value
// can be set by a flag or by the matching SKUA_* environment variable; the
// flag defaults below are the production defaults.
package config

import (
	"errors"
	"flag"
	"os"
	"strings"
	"time"
)

// Config is handed to constructors by fx; nothing reads flags or the
// environment after Load returns.
type Config struct {
	ListenAddr string
	AccountID  string
	APIToken   string
	PublicURL  string
	CatalogURL string

	BillingSecret string
	AdminToken    string

	Namespaces Namespaces
	Feeds      FeedsConfig
	Auth       AuthConfig
	Imports    ImportsConfig
	Stats      StatsConfig
}

// Namespaces holds the KV namespace IDs the backend writes to.
type Namespaces struct {
	Feeds   string // rendered feeds, show settings, slugs (read by the edge worker)
	Auth    string // creator sessions, magic links, private feed tokens
	Stats   string // listener analytics published for dashboards
	Imports string // RSS import jobs and their logs
}

type FeedsConfig struct {
	CacheTTL    time.Duration
	PreviewTTL  time.Duration
	MaxEpisodes int
}

type AuthConfig struct {
	SessionTTL   time.Duration
	MagicLinkTTL time.Duration
	OAuthTTL     time.Duration
	CookieName   string
	CookieDomain string
	MaxAttempts  int
}

type ImportsConfig struct {
	PollSpec     string
	MaxPerRun    int
	MonthlyQuota int
	FetchTimeout time.Duration
}

type StatsConfig struct {
	FlushSpec    string
	TrendingSpec string
	RollupSpec   string
	RetainDays   int
}

// Load parses os.Args and the environment.
func Load() (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("skua-api", flag.ContinueOnError)

	fs.StringVar(&cfg.ListenAddr, "listen", ":8080", "HTTP listen address")
	fs.StringVar(&cfg.AccountID, "cf-account", "", "Cloudflare account ID")
	fs.StringVar(&cfg.APIToken, "cf-token", "", "Cloudflare API token with KV write access")
	fs.StringVar(&cfg.PublicURL, "public-url", "https://skua.fm", "public base URL used in links")
	fs.StringVar(&cfg.CatalogURL, "catalog-url", "http://catalog.internal:9000", "catalog service base URL")
	fs.StringVar(&cfg.AdminToken, "admin-token", "", "bearer token for /admin and /ingest")
	fs.StringVar(&cfg.BillingSecret, "billing-webhook-secret", "", "HMAC secret for billing webhooks")

	fs.StringVar(&cfg.Namespaces.Feeds, "kv-feeds", "", "KV namespace ID for feeds")
	fs.StringVar(&cfg.Namespaces.Auth, "kv-auth", "", "KV namespace ID for auth state")
	fs.StringVar(&cfg.Namespaces.Stats, "kv-stats", "", "KV namespace ID for analytics")
	fs.StringVar(&cfg.Namespaces.Imports, "kv-imports", "", "KV namespace ID for import jobs")

	fs.DurationVar(&cfg.Feeds.CacheTTL, "feed-cache-ttl", 10*time.Minute, "lifetime of a rendered feed in KV")
	fs.DurationVar(&cfg.Feeds.PreviewTTL, "feed-preview-ttl", 30*time.Second, "lifetime of a draft preview in KV") // DEBATABLE kvttl
	fs.IntVar(&cfg.Feeds.MaxEpisodes, "feed-max-episodes", 300, "episodes kept in a show's index")

	fs.DurationVar(&cfg.Auth.SessionTTL, "session-ttl", 14*24*time.Hour, "creator session lifetime")
	fs.DurationVar(&cfg.Auth.MagicLinkTTL, "magic-link-ttl", 15*time.Minute, "magic link lifetime")
	fs.DurationVar(&cfg.Auth.OAuthTTL, "oauth-state-ttl", 10*time.Minute, "OAuth state lifetime")
	fs.StringVar(&cfg.Auth.CookieName, "cookie-name", "skua_session", "session cookie name")
	fs.StringVar(&cfg.Auth.CookieDomain, "cookie-domain", "skua.fm", "session cookie domain")
	fs.IntVar(&cfg.Auth.MaxAttempts, "login-max-attempts", 5, "magic link requests per address per window")

	fs.StringVar(&cfg.Imports.PollSpec, "imports-poll", "@every 1m", "cron spec for the import poller")
	fs.IntVar(&cfg.Imports.MaxPerRun, "imports-max-per-run", 20, "imports started per poll")
	fs.IntVar(&cfg.Imports.MonthlyQuota, "imports-monthly-quota", 10, "imports per creator per month")
	fs.DurationVar(&cfg.Imports.FetchTimeout, "imports-fetch-timeout", 30*time.Second, "RSS fetch timeout")

	fs.StringVar(&cfg.Stats.FlushSpec, "stats-flush", "@every 1m", "cron spec for flushing play counts")
	fs.StringVar(&cfg.Stats.TrendingSpec, "stats-trending", "@every 1s", "cron spec for the trending board")
	fs.StringVar(&cfg.Stats.RollupSpec, "stats-rollup", "0 5 0 * * *", "cron spec for the daily rollup")
	fs.IntVar(&cfg.Stats.RetainDays, "stats-retain-days", 400, "days of daily rollups kept")

	applyEnv(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		return Config{}, err
	}
	if cfg.AccountID == "" || cfg.APIToken == "" {
		return Config{}, errors.New("config: -cf-account and -cf-token are required")
	}
	return cfg, nil
}

// applyEnv lets SKUA_FEED_CACHE_TTL override -feed-cache-ttl and so on.
func applyEnv(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name := "SKUA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			_ = f.Value.Set(v)
		}
	})
}
