// Package policy holds the retention policy of each key family.
package policy

import (
	"fmt"
	"time"
)

// Policy describes how long a family of keys lives and where it lives.
type Policy struct {
	Prefix string
	TTL    time.Duration
	// Shared marks families written by more than one service.
	Shared bool
}

const (
	day       = 24 * time.Hour
	holdGrace = 15 * time.Second
)

// Table is keyed by family name.
var Table = map[string]Policy{
	"sessions":   {Prefix: "sess:", TTL: 12 * time.Hour},
	"otp":        {Prefix: "otp:", TTL: 10 * time.Minute},
	"vessel-eta": {Prefix: "eta:", TTL: 5 * time.Minute, Shared: true},
	"berth-lock": {Prefix: "berthlock:", TTL: 2 * holdGrace}, // EXPECT kvttl
	"berth-hold": {Prefix: "berthhold:", TTL: 4 * time.Hour},
	"positions":  {Prefix: "pos:", TTL: 6 * time.Hour},
	"tracks":     {Prefix: "track:", TTL: 14 * day},
	"holds":      {Prefix: "hold:", TTL: 30 * day},
	"dashboard":  {Prefix: "dash:", TTL: 90 * time.Second, Shared: true},
	"audit":      {Prefix: "audit:", TTL: 90 * day},
}

// For returns the policy of family, panicking on an unknown family since that
// is a programming error caught by tests.
func For(family string) Policy {
	p, ok := Table[family]
	if !ok {
		panic(fmt.Sprintf("policy: unknown family %q", family))
	}
	return p
}

// Key joins the family prefix and id.
func (p Policy) Key(id string) string { return p.Prefix + id }
