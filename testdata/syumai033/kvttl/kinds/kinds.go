// Package kinds names the kinds of records a service keeps and the
// lifetime of each, and writes a record with its kind's lifetime. The
// lifetime a kind has is chosen where the kind is, by the caller: a short
// one is reported there (kvttl/policies.go), not here.
package kinds

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Kind int

const (
	Session Kind = iota
	Listing
	SearchResult
	Payout
)

// TTL is how long a record of the kind lives; zero keeps it.
func (k Kind) TTL() time.Duration {
	switch k {
	case Session:
		return 14 * 24 * time.Hour
	case Listing:
		return time.Hour
	case SearchResult:
		return 45 * time.Second
	case Payout:
		return 0
	}
	return time.Hour
}

type Scope struct {
	ns     *kv.Namespace
	prefix string
}

func Open(ns *kv.Namespace, prefix string) Scope { return Scope{ns: ns, prefix: prefix} }

// PutFor writes value under name with the lifetime of kind k.
func (s Scope) PutFor(k Kind, name, value string) error {
	opts := &kv.PutOptions{}
	if ttl := k.TTL(); ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return s.ns.PutString(s.prefix+name, value, opts)
}

// Limit is the page size a listing of the kind asks for.
func (k Kind) Limit() int {
	switch k {
	case Session, Payout:
		return 500
	case SearchResult:
		return 2000
	}
	return 1000
}

// Page lists one page of the scope's keys.
func (s Scope) Page(cursor string, limit int) (*kv.ListResult, error) {
	return s.ns.List(&kv.ListOptions{Prefix: s.prefix, Cursor: cursor, Limit: limit})
}
