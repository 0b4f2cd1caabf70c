// Package plan holds the per-tier policies that govern how aggressively the
// edge caches flag definitions and how many overrides a tenant may keep.
package plan

import "time"

// Policy is the set of knobs that vary by billing tier.
type Policy struct {
	// CacheTTL is how long an evaluated flag snapshot stays in the edge cache.
	CacheTTL time.Duration
	// OverrideTTL is how long a per-tenant override lives unless renewed.
	OverrideTTL time.Duration
	// NegativeTTL is how long an unknown flag is remembered as unknown.
	NegativeTTL time.Duration
	// MaxOverrides bounds the number of override rules per flag.
	MaxOverrides int
	// EvalPerMinute is the evaluation budget per client IP.
	EvalPerMinute int
}

// Tier names as stored on the tenant record.
const (
	Free       = "free"
	Team       = "team"
	Enterprise = "enterprise"
)

// For returns the policy for a plan name. Unknown plans get the free policy.
func For(name string) Policy {
	switch name {
	case Enterprise:
		return Policy{
			CacheTTL:      10 * time.Minute,
			OverrideTTL:   30 * 24 * time.Hour,
			NegativeTTL:   5 * time.Minute,
			MaxOverrides:  500,
			EvalPerMinute: 6000,
		}
	case Team:
		return Policy{
			CacheTTL:      2 * time.Minute,
			OverrideTTL:   7 * 24 * time.Hour,
			NegativeTTL:   2 * time.Minute,
			MaxOverrides:  100,
			EvalPerMinute: 1200,
		}
	default:
		return Policy{
			CacheTTL:      30 * time.Second,
			OverrideTTL:   24 * time.Hour,
			NegativeTTL:   time.Minute,
			MaxOverrides:  20,
			EvalPerMinute: 120,
		}
	}
}
