//go:build js && wasm

// Package edgekv is the worker's thin layer over a Workers KV binding. It adds a
// key prefix, converts lifetimes from time.Duration, turns the runtime's null
// into ErrNotFound and gives a page-bounded Walk.
package edgekv

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNotFound reports a key that KV does not hold.
var ErrNotFound = errors.New("edgekv: not found")

// ErrStop may be returned by a Walk callback to end the walk without error.
var ErrStop = errors.New("edgekv: stop")

// nullValue is how syscall/js renders the JS null that KV returns for a missing key.
const nullValue = "<null>"

// defaultMaxPages bounds a Walk: 5 pages of 1,000 keys.
const defaultMaxPages = 5

// Namespace is a prefixed view of one KV binding. The binding is resolved on each
// call because env is only reachable while an invocation runs.
type Namespace struct {
	binding  string
	prefix   string
	maxPages int
}

// Open returns a view of binding whose keys all start with prefix.
func Open(binding, prefix string) *Namespace {
	return &Namespace{binding: binding, prefix: prefix, maxPages: defaultMaxPages}
}

// Sub returns a view of the same binding under a longer prefix.
func (n *Namespace) Sub(prefix string) *Namespace {
	return &Namespace{binding: n.binding, prefix: n.prefix + prefix, maxPages: n.maxPages}
}

// Raw resolves the underlying binding.
func (n *Namespace) Raw() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(n.binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: binding %s: %w", n.binding, err)
	}
	return ns, nil
}

// Get returns the value stored under key.
func (n *Namespace) Get(key string) (string, error) {
	return n.get(key, nil)
}

// GetCached is Get with an edge cache lifetime for values that rarely change.
func (n *Namespace) GetCached(key string, cacheTTL time.Duration) (string, error) {
	return n.get(key, &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
}

func (n *Namespace) get(key string, opts *kv.GetOptions) (string, error) {
	ns, err := n.Raw()
	if err != nil {
		return "", err
	}
	v, err := ns.GetString(n.prefix+key, opts)
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s%s: %w", n.prefix, key, err)
	}
	if v == nullValue {
		return "", ErrNotFound
	}
	return v, nil
}

// Put stores value under key. A zero ttl stores it without expiry.
func (n *Namespace) Put(key, value string, ttl time.Duration) error {
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(ttl.Seconds())
	}
	return n.put(key, value, opts)
}

// PutAtLeast is Put with ttl raised to KV's one-minute minimum.
func (n *Namespace) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(key, value, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(key, value string, at time.Time) error {
	return n.put(key, value, &kv.PutOptions{Expiration: int(at.Unix())})
}

func (n *Namespace) put(key, value string, opts *kv.PutOptions) error {
	ns, err := n.Raw()
	if err != nil {
		return err
	}
	if err := ns.PutString(n.prefix+key, value, opts); err != nil {
		return fmt.Errorf("edgekv: put %s%s: %w", n.prefix, key, err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(key string) error {
	ns, err := n.Raw()
	if err != nil {
		return err
	}
	if err := ns.Delete(n.prefix + key); err != nil {
		return fmt.Errorf("edgekv: delete %s%s: %w", n.prefix, key, err)
	}
	return nil
}

// Load decodes the value under key into v.
func (n *Namespace) Load(key string, v encoding.BinaryUnmarshaler) error {
	raw, err := n.Get(key)
	if err != nil {
		return err
	}
	return v.UnmarshalBinary([]byte(raw))
}

// Store encodes v and puts it under key.
func (n *Namespace) Store(key string, v encoding.BinaryMarshaler, ttl time.Duration) error {
	b, err := v.MarshalBinary()
	if err != nil {
		return fmt.Errorf("edgekv: encode %s: %w", key, err)
	}
	return n.Put(key, string(b), ttl)
}

// Meta describes a listed key. Workers KV lists names and expirations only.
type Meta struct {
	Expires time.Time
}

// Walk calls fn with each key under prefix (relative to the namespace prefix),
// reading at most maxPages pages. fn may return ErrStop to end early.
func (n *Namespace) Walk(ctx context.Context, prefix string, fn func(key string, meta Meta) error) error {
	ns, err := n.Raw()
	if err != nil {
		return err
	}
	full := n.prefix + prefix
	cursor := ""
	for page := 0; page < n.maxPages; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := ns.List(&kv.ListOptions{Prefix: full, Cursor: cursor, Limit: 1000})
		if err != nil {
			return fmt.Errorf("edgekv: list %s: %w", full, err)
		}
		for _, k := range res.Keys {
			var m Meta
			if k.Expiration > 0 {
				m.Expires = time.Unix(int64(k.Expiration), 0)
			}
			if err := fn(strings.TrimPrefix(k.Name, n.prefix), m); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return fmt.Errorf("edgekv: walk %s: more than %d pages", full, n.maxPages)
}
