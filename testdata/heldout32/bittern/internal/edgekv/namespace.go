//go:build js && wasm

// Package edgekv adapts the Workers KV binding exposed by syumai/workers to
// the shapes the rest of the Worker uses: context-aware calls, durations
// instead of raw seconds, range-over-func listing, and fluent read and write
// operations (see ops.go).
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNotFound is returned by reads that distinguish a missing key.
var ErrNotFound = errors.New("edgekv: key not found")

// MinTTL is the shortest expiration Workers KV accepts.
const MinTTL = time.Minute

// nullValue is what the binding's GetString returns for a missing key: the
// JS null as rendered by syscall/js.
const nullValue = "<null>"

// KV is what domain code programs against. *Namespace implements it; the
// decorators in this package embed it and replace a single method.
type KV interface {
	// Key builds a key from parts. Decorators may scope it.
	Key(parts ...string) string
	// Get returns the value exactly as the binding reports it.
	Get(ctx context.Context, key string) (string, error)
	// Lookup is Get with the miss made explicit.
	Lookup(ctx context.Context, key string) (string, bool, error)
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
	// Page returns one page of a listing.
	Page(ctx context.Context, opts *kv.ListOptions) (*kv.ListResult, error)
	// Keys yields every key under prefix, following the cursor.
	Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
	Write(key string) *WriteOp
	Read(key string) *ReadOp
}

// Namespace is one KV binding.
type Namespace struct {
	binding string
	ns      *kv.Namespace
}

var _ KV = (*Namespace)(nil)

// Open binds to the namespace declared as binding in wrangler.toml. It must
// be called while a request or scheduled event is being handled.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: open %s: %w", binding, err)
	}
	return &Namespace{binding: binding, ns: ns}, nil
}

// Key joins parts with ':'.
func (n *Namespace) Key(parts ...string) string { return strings.Join(parts, ":") }

func (n *Namespace) Get(ctx context.Context, key string) (string, error) {
	return n.ns.GetString(key, nil)
}

func (n *Namespace) Lookup(ctx context.Context, key string) (string, bool, error) {
	v, err := n.Get(ctx, key)
	if err != nil {
		return "", false, err
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// Put stores value at key. A ttl of zero stores it without expiry; other
// values are passed to KV in whole seconds.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return n.ns.PutString(key, value, opts)
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	return n.ns.Delete(key)
}

func (n *Namespace) Page(ctx context.Context, opts *kv.ListOptions) (*kv.ListResult, error) {
	return n.ns.List(opts)
}

// Keys lists page by page and yields key names. Ranging stops the listing
// as soon as the loop body breaks, and a cancelled context ends it between
// pages.
func (n *Namespace) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			res, err := n.ns.List(opts)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range res.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if res.ListComplete || res.Cursor == "" {
				return
			}
			opts.Cursor = res.Cursor
		}
	}
}

// Cache stores a value derived from some other source of truth. Windows
// shorter than KV allows are raised to MinTTL, so callers can pass the
// freshness their data really has.
func Cache(ctx context.Context, s KV, key, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.Put(ctx, key, value, ttl)
}

// Update applies fn to the current value at key and stores the result with
// ttl. fn sees ok == false when the key is missing.
func Update(ctx context.Context, s KV, key string, ttl time.Duration, fn func(old string, ok bool) (string, error)) error {
	old, ok, err := s.Lookup(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old, ok)
	if err != nil {
		return err
	}
	if ok && next == old {
		return nil
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}
