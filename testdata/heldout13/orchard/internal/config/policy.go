package config

import (
	"fmt"
	"time"
)

// Policy says where a family of keys lives and how long its entries last.
type Policy struct {
	Prefix string
	TTL    time.Duration
}

// Key joins the policy prefix and an id.
func (p Policy) Key(id string) string { return p.Prefix + id }

// Policies is the table of key families, by name.
type Policies map[string]Policy

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// DefaultPolicies is the key layout shared by the HTTP worker and the cron
// worker. Changing a prefix orphans existing entries until they expire.
func DefaultPolicies() Policies {
	return Policies{
		"sessions": {Prefix: "sess:", TTL: 2 * week},
		"refresh":  {Prefix: "rt:", TTL: 30 * day},
		"otp":      {Prefix: "otp:", TTL: 45 * time.Second}, // EXPECT kvttl
		"listings": {Prefix: "lc:", TTL: 10 * time.Minute},
		"farms":    {Prefix: "farmcert:", TTL: 6 * time.Hour},
		"carts":    {Prefix: "cart:", TTL: 3 * day},
		"pickup":   {Prefix: "pickup:", TTL: 2 * day},
	}
}

// Get returns the named policy and panics on a typo, which the tests of
// every caller catch long before a deploy does.
func (ps Policies) Get(name string) Policy {
	p, ok := ps[name]
	if !ok {
		panic(fmt.Sprintf("config: no key policy %q", name))
	}
	return p
}
