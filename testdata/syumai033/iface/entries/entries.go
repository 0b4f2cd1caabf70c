// Package entries is a storage port that takes a whole entry, and
// decorators that a caller stacks on it: two raise a lifetime in the
// entry to a floor before they pass it on.
package entries

import (
	"slices"
	"time"
)

// An Entry is one write; TTL is in seconds.
type Entry struct {
	Key   string
	Value string
	TTL   int
}

// Store is the port; its KV adapter lives elsewhere.
type Store interface {
	Put(e Entry) error
}

// A Layer wraps a Store in a decorator.
type Layer func(Store) Store

// Compose applies layers to base, the first outermost.
func Compose(base Store, layers ...Layer) Store {
	s := base
	for _, l := range slices.Backward(layers) {
		s = l(s)
	}
	return s
}

// WithFloor raises a lifetime under floor to floor.
func WithFloor(floor time.Duration) Layer {
	return func(next Store) Store { return floored{next, int(floor.Seconds())} }
}

type floored struct {
	Store
	floor int
}

func (s floored) Put(e Entry) error {
	if e.TTL > 0 && e.TTL < s.floor {
		e.TTL = s.floor
	}
	return s.Store.Put(e)
}

// WithPolicy gives entries with no lifetime def seconds, and raises one
// under floor seconds to floor.
func WithPolicy(def, floor int) Layer {
	return func(next Store) Store { return &policy{next: next, def: def, floor: floor} }
}

type policy struct {
	next       Store
	def, floor int
}

func (p *policy) fix(e Entry) Entry {
	if e.TTL == 0 {
		e.TTL = p.def
	}
	if e.TTL > 0 && e.TTL < p.floor {
		e.TTL = p.floor
	}
	return e
}

func (p *policy) Put(e Entry) error { return p.next.Put(p.fix(e)) }

// WithPrefix prefixes every key, and passes lifetimes on as they are.
func WithPrefix(prefix string) Layer {
	return func(next Store) Store { return prefixed{next, prefix} }
}

type prefixed struct {
	next   Store
	prefix string
}

func (p prefixed) Put(e Entry) error {
	e.Key = p.prefix + e.Key
	return p.next.Put(e)
}

// A Board announces through the namespace its caller gives it.
type Board struct {
	KV Store
}

// Announce writes text under key for ttl.
func (b *Board) Announce(key, text string, ttl time.Duration) error {
	return b.KV.Put(Entry{Key: "board:" + key, Value: text, TTL: int(ttl.Seconds())})
}
