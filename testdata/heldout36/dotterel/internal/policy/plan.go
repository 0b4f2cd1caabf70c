// Package policy maps a customer's plan to the limits and lifetimes the
// services apply to it.
package policy

import (
	"strings"
	"time"
)

// Plan is the set of knobs that vary by subscription tier.
type Plan struct {
	Name              string
	CacheTTL          time.Duration
	CheckinsPerMinute int
	AlertWindow       time.Duration
	DailyMessages     int64
	Retention         time.Duration
}

// For returns the policy for a plan name as stored on the customer record.
func For(plan string) Plan {
	switch strings.ToLower(strings.TrimSpace(plan)) {
	case "enterprise":
		return Plan{Name: "enterprise", CacheTTL: 10 * time.Minute, CheckinsPerMinute: 600, AlertWindow: 15 * time.Minute, DailyMessages: 5_000_000, Retention: 90 * 24 * time.Hour}
	case "pro":
		return Plan{Name: "pro", CacheTTL: 5 * time.Minute, CheckinsPerMinute: 120, AlertWindow: 5 * time.Minute, DailyMessages: 500_000, Retention: 30 * 24 * time.Hour}
	case "trial":
		return Plan{Name: "trial", CacheTTL: 45 * time.Second, CheckinsPerMinute: 10, AlertWindow: 2 * time.Minute, DailyMessages: 5_000, Retention: 7 * 24 * time.Hour}
	default:
		return Plan{Name: "starter", CacheTTL: 2 * time.Minute, CheckinsPerMinute: 30, AlertWindow: 10 * time.Minute, DailyMessages: 50_000, Retention: 14 * 24 * time.Hour}
	}
}
