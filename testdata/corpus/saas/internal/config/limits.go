package config

import "time"

// Request limits per client IP and per tenant.
const (
	IPRequestsPerWindow     = 120
	TenantRequestsPerWindow = 3000
	RateWindow              = time.Minute
	BurstRequests           = 5
	BurstWindowSeconds      = 10
	LoginMaxFailures        = 5
	LoginLockout            = 15 * time.Minute
)

// Plan limits used when D1 is unreachable.
var DefaultPlanLimits = map[string]int64{
	"free":       10_000,
	"team":       250_000,
	"enterprise": 10_000_000,
}

// Cron housekeeping.
const (
	MaxListPages     = 20
	ListPageSize     = 1000
	FailureLogKeep   = 100
	LeaderboardCache = 6 * time.Hour
)
