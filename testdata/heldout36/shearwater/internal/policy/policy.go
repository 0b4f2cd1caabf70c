// Package policy maps a tenant's billing plan to the cache and retention
// settings the edge worker and the backend use.
package policy

import (
	"strings"
	"time"
)

// Policy is the set of knobs that vary by plan.
type Policy struct {
	// CacheTTL is how long derived ticket views stay in KV.
	CacheTTL time.Duration
	// EdgeTTL is the cacheTtl passed on hot reads.
	EdgeTTL time.Duration
	// SessionTTL is the lifetime of an agent session.
	SessionTTL time.Duration
	// ExportPages bounds how many list pages a nightly export may walk.
	ExportPages int
	// Retention is how long closed tickets are kept in the export bucket.
	Retention time.Duration
}

// For returns the policy for a plan name as stored on the tenant record.
// Unknown plans get the free policy.
func For(plan string) Policy {
	switch strings.ToLower(strings.TrimSpace(plan)) {
	case "enterprise":
		return Policy{
			CacheTTL:    15 * time.Minute,
			EdgeTTL:     5 * time.Minute,
			SessionTTL:  12 * time.Hour,
			ExportPages: 200,
			Retention:   365 * 24 * time.Hour,
		}
	case "team", "pro":
		return Policy{
			CacheTTL:    5 * time.Minute,
			EdgeTTL:     time.Minute,
			SessionTTL:  8 * time.Hour,
			ExportPages: 50,
			Retention:   90 * 24 * time.Hour,
		}
	case "trial":
		return Policy{
			CacheTTL:    45 * time.Second, // EXPECT kvttl
			EdgeTTL:     30 * time.Second,
			SessionTTL:  2 * time.Hour,
			ExportPages: 5,
			Retention:   14 * 24 * time.Hour,
		}
	default:
		return Policy{
			CacheTTL:    2 * time.Minute,
			EdgeTTL:     20 * time.Second, // EXPECT kvttl
			SessionTTL:  4 * time.Hour,
			ExportPages: 10,
			Retention:   30 * 24 * time.Hour,
		}
	}
}
