// Package config holds the service configuration shared by the Worker and
// the back-office binary. Values are passed by value; zero fields are filled
// in by withDefaults so that a partially specified environment still works.
package config

import (
	"strconv"
	"time"
)

// Config is the whole service configuration.
type Config struct {
	Cloudflare CloudflareConfig
	KV         KVConfig
	Widget     WidgetConfig
	SLA        SLAConfig
}

// CloudflareConfig identifies the account and the namespaces used over REST.
type CloudflareConfig struct {
	APIToken, AccountID                    string
	TicketsNS, SessionsNS, WidgetNS, SLANS string
}

// KVConfig groups the knobs for KV access.
type KVConfig struct {
	TTL                TTLConfig
	CannedCacheSeconds int // cacheTtl for canned-reply reads at the edge
	PageSize, MaxPages int
}

// TTLConfig holds record lifetimes.
type TTLConfig struct {
	Session, Refresh, CSRF, OTP time.Duration
	WidgetConfig, Canned        time.Duration
	TicketSnapshot, Summary     time.Duration
}

// WidgetConfig configures the chat widget served from the edge.
type WidgetConfig struct {
	MessagesPerMinute int
	MaxMessageBytes   int
	Origin            string
}

// SLAConfig configures SLA timers.
type SLAConfig struct {
	FirstResponse, Resolution, Grace time.Duration
	SweepBatch                       int
}

func orDuration(d *time.Duration, v time.Duration) {
	if *d == 0 {
		*d = v
	}
}

func orInt(n *int, v int) {
	if *n == 0 {
		*n = v
	}
}

func (c Config) withDefaults() Config {
	c.KV = c.KV.withDefaults()
	orInt(&c.Widget.MessagesPerMinute, 20)
	orInt(&c.Widget.MaxMessageBytes, 8<<10)
	orDuration(&c.SLA.FirstResponse, 4*time.Hour)
	orDuration(&c.SLA.Resolution, 72*time.Hour)
	orDuration(&c.SLA.Grace, 5*time.Minute)
	orInt(&c.SLA.SweepBatch, 500)
	return c
}

func (k KVConfig) withDefaults() KVConfig {
	k.TTL = k.TTL.withDefaults()
	orInt(&k.CannedCacheSeconds, 600)
	orInt(&k.PageSize, 1000)
	orInt(&k.MaxPages, 20)
	return k
}

func (t TTLConfig) withDefaults() TTLConfig {
	orDuration(&t.Session, 12*time.Hour)
	orDuration(&t.Refresh, 30*24*time.Hour)
	orDuration(&t.CSRF, 2*time.Hour)
	orDuration(&t.OTP, 10*time.Minute)
	orDuration(&t.WidgetConfig, 5*time.Minute)
	orDuration(&t.Canned, time.Hour)
	orDuration(&t.TicketSnapshot, 10*time.Minute)
	orDuration(&t.Summary, 15*time.Minute)
	return t
}

// Load reads configuration through lookup (os.Getenv in the back office,
// cloudflare.Getenv in the Worker) and fills in defaults.
func Load(lookup func(string) string) Config {
	var c Config
	c.Cloudflare = CloudflareConfig{
		APIToken:   lookup("CLOUDFLARE_API_TOKEN"),
		AccountID:  lookup("CLOUDFLARE_ACCOUNT_ID"),
		TicketsNS:  lookup("KV_TICKETS_NS"),
		SessionsNS: lookup("KV_SESSIONS_NS"),
		WidgetNS:   lookup("KV_WIDGET_NS"),
		SLANS:      lookup("KV_SLA_NS"),
	}
	c.Widget.Origin = lookup("HELPDESK_ORIGIN")
	if v, err := strconv.Atoi(lookup("WIDGET_MESSAGES_PER_MINUTE")); err == nil {
		c.Widget.MessagesPerMinute = v
	}
	if d, err := time.ParseDuration(lookup("SESSION_TTL")); err == nil {
		c.KV.TTL.Session = d
	}
	return c.withDefaults()
}
