// Package config holds deployment constants shared by the ops tooling:
// account and namespace identifiers, and how long things live at the edge.
package config

import "time"

// Environment variables read by cfclient.
const (
	EnvAccountID = "CF_ACCOUNT_ID"
	EnvAPIToken  = "CF_API_TOKEN"
)

// Workers KV namespaces (production).
const (
	NamespaceFlags    = "6f1c2a9e0b7d4c3fa1e85b2d90c4e7a1"
	NamespaceCache    = "a3d9e27c51f04b6e8c0d1f2a7b6e9c34"
	NamespaceEdge     = "0c8b7e61d2a94f53b9e0a4c1d7f28e65"
	NamespaceLimits   = "d41e8a0f7c2b4e91a6f3c58b0e2d7a19"
	NamespaceProfiles = "5b7a0e3c9d2f41e8b6a1c4d7e0f39a82"
	NamespaceBilling  = "e8c1f4a27b0d4936a5e2c7b1d08f64a3"
	NamespaceLegacy   = "9e2f4a7c1b0d48e6a3c5f8d2b7e0a146"
)

// Cache lifetimes.
const (
	ProductCacheTTL  = 5 * time.Minute
	CategoryCacheTTL = 15 * time.Minute
	ProfileTTL       = 10 * time.Minute
	SuggestCacheTTL  = 20 * time.Second
	GeoCacheTTL      = 6 * time.Hour

	// Seconds, for the REST bulk API which takes integers.
	FlagCacheTTLSeconds     = 300
	NegativeCacheTTLSeconds = 30
	StatsTTLSeconds         = 60
	HeartbeatTTLSeconds     = 180
	CronLockTTLSeconds      = 45
)

// Rate limiting and quotas.
const (
	RateWindow         = time.Minute
	RateLimitPerWindow = 120
	QuotaRetention     = 48 * time.Hour
)

const (
	WebhookDedupeTTL    = 24 * time.Hour
	PreviewLinkLifetime = 15 * time.Minute
	InvoiceLinkTTL      = 2 * time.Hour
)
