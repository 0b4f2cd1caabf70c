// Package config holds binding names, key prefixes and timing constants for
// the SaaS edge worker. Everything that ends up in wrangler.toml or that
// product managers like to tweak lives here.
package config

import "time"

// KV namespace and D1 bindings (see wrangler.toml).
const (
	BindingCache    = "CACHE"
	BindingFlags    = "FLAGS"
	BindingTenants  = "TENANTS"
	BindingLimits   = "LIMITS"
	BindingSessions = "SESSIONS"
	BindingWebhooks = "WEBHOOKS"
	BindingDB       = "DB"
)

// BuildVersion is stamped at release time.
const BuildVersion = "2026.03.2"

// Caching and lifetime of edge data.
const (
	FlagCacheTTL      = 5 * time.Minute
	FlagEdgeCacheSecs = 20
	PlanCacheTTL      = 10 * time.Minute
	TenantCacheTTL    = 15 * time.Minute
	SessionTTL        = 12 * time.Hour
	RememberMeDays    = 30
	InviteTTL         = 7 * 24 * time.Hour
	VerifyCodeTTL     = 15 * time.Minute
	VerifyResendGap   = 45 * time.Second
	WebhookDedupeTTL  = 24 * time.Hour
	MeterRetention    = 40 * 24 * time.Hour
	AssignmentTTLDays = 30
	LastUsedRetention = 90 * 24 * time.Hour
)

// Webhook delivery.
const (
	WebhookLockSeconds  = 30
	WebhookMaxFailures  = 200
	WebhookRetryBackoff = time.Minute
)
