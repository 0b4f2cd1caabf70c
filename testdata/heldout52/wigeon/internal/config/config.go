// Package config holds the settings shared by portald, reportsd and wigeonctl.
package config

import (
	"flag"
	"time"
)

// Namespaces are the Workers KV namespace IDs the services write to.
type Namespaces struct {
	Portal  string // sessions, magic links, OAuth state, branding
	Billing string // invoice views, payment links, dunning state
	Quota   string // per-customer API quota windows
	Reports string // exported reports (reportsd)
}

// Config is the merged service configuration. Lifetimes are time.Duration
// except where the value is passed through to KV as-is, which is kept in
// whole seconds (the *Seconds fields).
type Config struct {
	AccountID string
	APIToken  string
	Env       string
	Listen    string

	NS Namespaces

	SessionTTL      time.Duration
	SessionIdle     time.Duration
	MagicLinkTTL    time.Duration
	OAuthStateTTL   time.Duration
	PayLinkTTL      time.Duration
	InvoiceCacheTTL time.Duration
	QuotaWindow     time.Duration
	ReminderTimeout time.Duration
	ReminderGrace   time.Duration

	BrandingTTLSeconds int
	ReportTTLSeconds   int
	PreviewTTLSeconds  int
	StatusTTLSeconds   int

	ListPageSize int
	MaxListPages int
	Concurrency  int
}

// DefaultConfig returns the production defaults.
func DefaultConfig() Config {
	return Config{
		Env:    "prod",
		Listen: ":8080",

		SessionTTL:      12 * time.Hour,
		SessionIdle:     30 * time.Minute,
		MagicLinkTTL:    15 * time.Minute,
		OAuthStateTTL:   10 * time.Minute,
		PayLinkTTL:      72 * time.Hour,
		InvoiceCacheTTL: 5 * time.Minute,
		QuotaWindow:     time.Minute,
		ReminderTimeout: 8 * time.Second,
		ReminderGrace:   14 * 24 * time.Hour,

		BrandingTTLSeconds: 3600,
		ReportTTLSeconds:   7 * 24 * 3600,
		PreviewTTLSeconds:  30, // DEBATABLE kvttl
		StatusTTLSeconds:   900,

		ListPageSize: 1000,
		MaxListPages: 25,
		Concurrency:  8,
	}
}

// Merge returns base with every non-zero field of over applied on top.
func Merge(base, over Config) Config {
	str := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	dur := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	num := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	str(&base.AccountID, over.AccountID)
	str(&base.APIToken, over.APIToken)
	str(&base.Env, over.Env)
	str(&base.Listen, over.Listen)
	str(&base.NS.Portal, over.NS.Portal)
	str(&base.NS.Billing, over.NS.Billing)
	str(&base.NS.Quota, over.NS.Quota)
	str(&base.NS.Reports, over.NS.Reports)

	dur(&base.SessionTTL, over.SessionTTL)
	dur(&base.SessionIdle, over.SessionIdle)
	dur(&base.MagicLinkTTL, over.MagicLinkTTL)
	dur(&base.OAuthStateTTL, over.OAuthStateTTL)
	dur(&base.PayLinkTTL, over.PayLinkTTL)
	dur(&base.InvoiceCacheTTL, over.InvoiceCacheTTL)
	dur(&base.QuotaWindow, over.QuotaWindow)
	dur(&base.ReminderTimeout, over.ReminderTimeout)
	dur(&base.ReminderGrace, over.ReminderGrace)

	num(&base.BrandingTTLSeconds, over.BrandingTTLSeconds)
	num(&base.ReportTTLSeconds, over.ReportTTLSeconds)
	num(&base.PreviewTTLSeconds, over.PreviewTTLSeconds)
	num(&base.StatusTTLSeconds, over.StatusTTLSeconds)
	num(&base.ListPageSize, over.ListPageSize)
	num(&base.MaxListPages, over.MaxListPages)
	num(&base.Concurrency, over.Concurrency)
	return base
}

// Flags registers the overridable settings on fs and returns the override
// struct they fill in; pass it to Merge after fs.Parse.
func Flags(fs *flag.FlagSet) *Config {
	var c Config
	fs.StringVar(&c.AccountID, "account", "", "Cloudflare account ID")
	fs.StringVar(&c.APIToken, "token", "", "Cloudflare API token")
	fs.StringVar(&c.Env, "env", "", "key environment prefix")
	fs.StringVar(&c.Listen, "listen", "", "listen address")
	fs.StringVar(&c.NS.Portal, "ns-portal", "", "portal namespace ID")
	fs.StringVar(&c.NS.Billing, "ns-billing", "", "billing namespace ID")
	fs.StringVar(&c.NS.Quota, "ns-quota", "", "quota namespace ID")
	fs.StringVar(&c.NS.Reports, "ns-reports", "", "reports namespace ID")
	fs.DurationVar(&c.SessionTTL, "session-ttl", 0, "portal session lifetime")
	fs.DurationVar(&c.QuotaWindow, "quota-window", 0, "API quota window")
	fs.IntVar(&c.ReportTTLSeconds, "report-ttl", 0, "exported report lifetime in seconds")
	fs.IntVar(&c.PreviewTTLSeconds, "preview-ttl", 0, "report preview lifetime in seconds")
	return &c
}
