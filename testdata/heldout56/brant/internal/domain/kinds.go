// Package domain holds the rental platform's records, key layout and the
// store contracts the Worker and the backend adapters satisfy.
package domain

import (
	"fmt"
	"time"
)

// Kind identifies a family of records kept in KV.
type Kind int

const (
	KindSession Kind = iota
	KindCode
	KindHold
	KindReceipt
	KindSurge
	KindMiss
	KindRefresh
	numKinds
)

var lifetimes = [...]time.Duration{
	KindSession: 12 * time.Hour,
	KindCode:    5 * time.Minute,
	KindHold:    10 * time.Minute,
	KindReceipt: 90 * 24 * time.Hour,
	KindSurge:   0,
	KindMiss:    2 * time.Minute,
	KindRefresh: 30 * 24 * time.Hour,
}

var prefixes = [numKinds]string{
	KindSession: "sess:",
	KindCode:    "unlock:",
	KindHold:    "hold:",
	KindReceipt: "receipt:",
	KindSurge:   "surge:",
	KindMiss:    "miss:",
	KindRefresh: "refresh:",
}

// Lifetime is how long a record of kind k lives; zero means forever.
func (k Kind) Lifetime() time.Duration {
	switch k {
	case KindSurge:
		return 0
	case KindSession, KindCode, KindHold, KindReceipt, KindMiss, KindRefresh:
		return lifetimes[k]
	default:
		panic(fmt.Sprintf("domain: unknown kind %d", int(k)))
	}
}

// Prefix is the key prefix shared by records of kind k.
func (k Kind) Prefix() string {
	if k < 0 || k >= numKinds {
		return "misc:"
	}
	return prefixes[k]
}

// Key returns the key of the record of kind k with the given id parts.
func (k Kind) Key(id string, more ...string) string {
	key := k.Prefix() + id
	for _, m := range more {
		key += ":" + m
	}
	return key
}

func (k Kind) String() string {
	switch k {
	case KindSession:
		return "session"
	case KindCode:
		return "code"
	case KindHold:
		return "hold"
	case KindReceipt:
		return "receipt"
	case KindSurge:
		return "surge"
	case KindMiss:
		return "miss"
	case KindRefresh:
		return "refresh"
	}
	return "unknown"
}
