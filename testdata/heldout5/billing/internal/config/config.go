// Package config loads service configuration from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Namespaces holds the Workers KV namespace IDs the service writes to.
type Namespaces struct {
	Billing  string // usage counters, quotas, invoices, dunning
	Edge     string // entitlement snapshots read by the edge worker
	Sessions string // customer portal
	Coupons  string // coupon codes (REST adapter)
}

// Config is the full service configuration.
type Config struct {
	ListenAddr string
	AccountID  string
	APIToken   string
	Namespaces Namespaces

	// Portal
	PortalSessionTTL time.Duration
	MagicLinkTTL     time.Duration

	// Payments
	IdempotencyWindow time.Duration
	WebhookReceiptTTL time.Duration
	MaxWebhookRetries int

	// Usage and plans
	UsageRetention time.Duration
	PlanCacheTTL   time.Duration
	EdgeMemoTTL    time.Duration
	EntitlementTTL time.Duration
	DraftTTL       time.Duration

	// Public API limiter
	APIRatePerSecond float64
	APIBurst         int
	LimiterURL       string // Durable Object limiter for webhook ingress

	// Jobs
	ExportEvery    time.Duration
	ExportPageSize int
	ExportPrefixes []string
	SweepEvery     time.Duration
}

func defaults() Config {
	return Config{
		ListenAddr:        ":8080",
		PortalSessionTTL:  30 * time.Minute,
		MagicLinkTTL:      10 * time.Minute,
		IdempotencyWindow: 30 * time.Second, // EXPECT kvttl
		WebhookReceiptTTL: 7 * 24 * time.Hour,
		MaxWebhookRetries: 8,
		UsageRetention:    62 * 24 * time.Hour,
		PlanCacheTTL:      5 * time.Minute,
		EdgeMemoTTL:       15 * time.Second,
		EntitlementTTL:    6 * time.Hour,
		DraftTTL:          72 * time.Hour,
		APIRatePerSecond:  5,
		APIBurst:          20,
		ExportEvery:       24 * time.Hour,
		ExportPageSize:    1000,
		ExportPrefixes:    []string{"usage:", "invoice:", "dunning:", "quota:"},
		SweepEvery:        15 * time.Minute,
	}
}

// Load reads the configuration from getenv (usually os.Getenv), falling
// back to defaults for anything unset.
func Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := defaults()
	c.AccountID = getenv("CF_ACCOUNT_ID")
	c.APIToken = getenv("CF_API_TOKEN")
	c.Namespaces = Namespaces{
		Billing:  getenv("KV_BILLING_NS"),
		Edge:     getenv("KV_EDGE_NS"),
		Sessions: getenv("KV_SESSIONS_NS"),
		Coupons:  getenv("KV_COUPONS_NS"),
	}
	if v := getenv("LISTEN_ADDR"); v != "" {
		c.ListenAddr = v
	}
	if v := getenv("LIMITER_URL"); v != "" {
		c.LimiterURL = v
	}
	if v := getenv("EXPORT_PREFIXES"); v != "" {
		c.ExportPrefixes = strings.Split(v, ",")
	}

	durations := []struct {
		env string
		dst *time.Duration
	}{
		{"PORTAL_SESSION_TTL", &c.PortalSessionTTL},
		{"MAGIC_LINK_TTL", &c.MagicLinkTTL},
		{"IDEMPOTENCY_WINDOW", &c.IdempotencyWindow},
		{"WEBHOOK_RECEIPT_TTL", &c.WebhookReceiptTTL},
		{"USAGE_RETENTION", &c.UsageRetention},
		{"PLAN_CACHE_TTL", &c.PlanCacheTTL},
		{"EDGE_MEMO_TTL", &c.EdgeMemoTTL},
		{"ENTITLEMENT_TTL", &c.EntitlementTTL},
		{"DRAFT_TTL", &c.DraftTTL},
		{"EXPORT_EVERY", &c.ExportEvery},
		{"SWEEP_EVERY", &c.SweepEvery},
	}
	for _, d := range durations {
		raw := getenv(d.env)
		if raw == "" {
			continue
		}
		v, err := time.ParseDuration(raw)
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", d.env, err)
		}
		*d.dst = v
	}

	ints := []struct {
		env string
		dst *int
	}{
		{"MAX_WEBHOOK_RETRIES", &c.MaxWebhookRetries},
		{"API_BURST", &c.APIBurst},
		{"EXPORT_PAGE_SIZE", &c.ExportPageSize},
	}
	for _, i := range ints {
		raw := getenv(i.env)
		if raw == "" {
			continue
		}
		v, err := strconv.Atoi(raw)
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", i.env, err)
		}
		*i.dst = v
	}
	if raw := getenv("API_RATE_PER_SECOND"); raw != "" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return Config{}, fmt.Errorf("config: API_RATE_PER_SECOND: %w", err)
		}
		c.APIRatePerSecond = v
	}

	if c.AccountID == "" || c.APIToken == "" {
		return Config{}, fmt.Errorf("config: CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	return c, nil
}
