// Package tiers maps a plan name to its limits; it does not use KV.
package tiers

import (
	"strings"
	"time"
)

type Limits struct {
	Name     string
	CacheTTL time.Duration
	HoldTTL  time.Duration
	Pages    int
}

// For returns the limits of a plan, by its name on the account.
func For(plan string) Limits {
	switch strings.ToLower(plan) {
	case "enterprise":
		return Limits{Name: "enterprise", CacheTTL: 10 * time.Minute, HoldTTL: time.Hour, Pages: 50}
	case "trial":
		return Limits{Name: "trial", CacheTTL: 45 * time.Second, HoldTTL: time.Hour, Pages: 2}
	default:
		return Limits{Name: "starter", CacheTTL: 2 * time.Minute, HoldTTL: time.Hour, Pages: 10}
	}
}

// Of is the same choice, returned by pointer.
func Of(plan string) *Limits {
	if plan == "free" {
		return &Limits{CacheTTL: 20 * time.Second, HoldTTL: 2 * time.Hour}
	}
	return &Limits{CacheTTL: 5 * time.Minute, HoldTTL: 2 * time.Hour}
}

// Lifetimes by kind, read by a constant kind in another package.
var TTLs = map[string]time.Duration{
	"summary": mustDuration("10m"),
	"preview": mustDuration("45s"),
	"hold":    2 * time.Hour,
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}
