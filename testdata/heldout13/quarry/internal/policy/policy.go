// Package policy is the single table of key prefixes and retention for each
// class of data quarry keeps in KV.
package policy

import (
	"fmt"
	"time"
)

// Policy describes one data class.
type Policy struct {
	Prefix string
	TTL    time.Duration // zero: keep until deleted
	// Binary values are stored with gob instead of JSON.
	Binary bool
}

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// Table maps a data class to its policy.
var Table = map[string]Policy{
	"sessions":    {Prefix: "sess:", TTL: 12 * time.Hour},
	"jobs":        {Prefix: "job:", TTL: 5 * week},
	"job-logs":    {Prefix: "log:", TTL: 2 * week},
	"artifacts":   {Prefix: "art:", TTL: 0},
	"tags":        {Prefix: "tag:", TTL: 0},
	"resolutions": {Prefix: "res:", TTL: 6 * time.Hour, Binary: true},
	"unresolved":  {Prefix: "res-miss:", TTL: 30 * time.Second}, // EXPECT kvttl
	"projections": {Prefix: "proj:", TTL: day},
	"revocations": {Prefix: "revoked:", TTL: 0},
	"refresh":     {Prefix: "rt:", TTL: 30 * day},
}

// Of returns the policy for class and panics on an unknown class; classes are
// compile-time names, so a typo should fail the first test that touches it.
func Of(class string) Policy {
	p, ok := Table[class]
	if !ok {
		panic(fmt.Sprintf("policy: unknown data class %q", class))
	}
	return p
}

// Key builds the full key for id in class.
func Key(class, id string) string { return Of(class).Prefix + id }

// Clamp bounds a computed TTL to [time.Minute, ceiling].
func Clamp(ttl, ceiling time.Duration) time.Duration {
	return min(max(ttl, time.Minute), ceiling)
}
