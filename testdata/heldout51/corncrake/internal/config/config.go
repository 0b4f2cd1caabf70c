// Package config holds the service-wide defaults. Durations are written as
// strings so they read the same as in the runbook and the Terraform vars, and
// they are parsed once at start-up so a typo fails the deploy, not a request.
package config

import (
	"fmt"
	"time"
)

// MustDuration parses s with time.ParseDuration and panics if it is malformed.
func MustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("config: bad duration %q: %v", s, err))
	}
	return d
}

var (
	// Patient sessions.
	SessionTTL  = MustDuration("30m")
	SessionIdle = MustDuration("15m")

	// One-time access codes printed on the requisition slip.
	AccessCodeTTL   = MustDuration("72h")
	MagicLinkTTL    = MustDuration("20m")
	RedeemWindow    = MustDuration("1m")
	MaxRedeemPerMin = 10

	// Read-side caches.
	SummaryCacheTTL = MustDuration("10m")
	ReferenceTTL    = MustDuration("6h")

	// Background jobs.
	ReferenceRefresh = MustDuration("5m")
	SweepEvery       = MustDuration("15m")
	HitsFlushEvery   = MustDuration("1m")
	LiveStatsEvery   = MustDuration("750ms")
	RouteRefresh     = MustDuration("10m")

	// Clinic SSO.
	OAuthStateTTL = MustDuration("10m")

	// Billing.
	ExportLockTTL = MustDuration("15m")
)

// Namespace sizing shared by the services and the admin tool.
const (
	ListPageSize  = 1000
	SweepMaxPages = 20
	BulkMaxPairs  = 10000
)
