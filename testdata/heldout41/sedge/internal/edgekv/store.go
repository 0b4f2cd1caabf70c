//go:build js && wasm

// Package edgekv is the worker's adapter over a Workers KV binding. A Store is
// a small value: Scope and WithPrefix return copies with a longer prefix, so a
// request can narrow a store without affecting anyone else's.
package edgekv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/config"
	"sedge/internal/result"
)

// nullText is how syscall/js renders a JS null: GetString returns it for a
// missing key.
const nullText = "<null>"

// Store is a prefixed view of one KV namespace.
type Store struct {
	ns     *kv.Namespace
	prefix string
	cfg    *config.Live
	expiry config.ExpiryPolicy
	keys   config.KeyScheme
}

// Open binds the namespace named binding. The key scheme and expiry policy are
// chosen from the deployment mode in effect at start-up.
func Open(binding string, cfg *config.Live) (Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return Store{}, fmt.Errorf("edgekv: %w", err)
	}
	c := cfg.Load()
	s := Store{ns: ns, cfg: cfg, prefix: c.KeyPrefix}
	s.expiry, s.keys = config.Strategies(c.Mode)
	return s, nil
}

// Scope returns a copy of s whose keys live under scope.
func (s Store) Scope(scope string) Store {
	s.prefix = s.prefix + scope + ":"
	return s
}

// WithPrefix returns a copy of s with the prefix replaced.
func (s Store) WithPrefix(p string) Store {
	s.prefix = p
	return s
}

// On returns a copy of s that talks to another namespace.
func (s Store) On(ns *kv.Namespace) Store {
	s.ns = ns
	return s
}

// Namespace exposes the binding for callers that need SDK options.
func (s Store) Namespace() *kv.Namespace { return s.ns }

// Prefix returns the key prefix of s, for listing.
func (s Store) Prefix() string { return s.prefix }

// Key returns the full KV key of name.
func (s Store) Key(name string) string { return s.keys.Key(s.prefix, name) }

// Lookup reads name; a missing key is None.
func (s Store) Lookup(name string) (result.Option[string], error) {
	v, err := s.ns.GetString(s.Key(name), nil)
	if err != nil {
		return result.None[string](), err
	}
	if v == nullText {
		return result.None[string](), nil
	}
	return result.Some(v), nil
}

// Raw returns the SDK's string for name unchanged.
func (s Store) Raw(name string) (string, error) {
	return s.ns.GetString(s.Key(name), nil)
}

// Cached reads name allowing the edge to serve it from cache for maxAge.
func (s Store) Cached(name string, maxAge time.Duration) (result.Option[string], error) {
	v, err := s.ns.GetString(s.Key(name), &kv.GetOptions{CacheTTL: int(maxAge / time.Second)})
	if err != nil || v == nullText {
		return result.None[string](), err
	}
	return result.Some(v), nil
}

// Put writes value under name. A zero ttl means no expiry.
func (s Store) Put(name, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(s.Key(name), value, opts)
}

// PutAtLeast is Put with the lifetime raised to KV's one-minute minimum.
func (s Store) PutAtLeast(name, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(name, value, ttl)
}

// PutKind writes value with the lifetime the expiry policy gives kind.
func (s Store) PutKind(name, value, kind string) error {
	cfg := s.cfg.Load()
	return s.Put(name, value, s.expiry.TTL(kind, cfg))
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// PutJSON encodes v and writes it under name.
func (s Store) PutJSON(name string, v any, ttl time.Duration) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	return s.Put(name, buf.String(), ttl)
}

// Delete removes name.
func (s Store) Delete(name string) error {
	return s.ns.Delete(s.Key(name))
}

// Page lists one page of keys under prefix, starting at cursor. The caller
// gets the cursor back and decides whether to continue.
func (s Store) Page(prefix, cursor string) (*kv.ListResult, error) {
	cfg := s.cfg.Load()
	return s.ns.List(&kv.ListOptions{
		Prefix: s.prefix + prefix,
		Cursor: cursor,
		Limit:  cfg.ListPageSize,
	})
}

// UpdateJSON reads name as JSON into a T, lets fn change it and writes it back.
func UpdateJSON[T any](s Store, name string, ttl time.Duration, fn func(*T) error) error {
	key := s.Key(name)
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var v T
	if raw != nullText {
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return fmt.Errorf("edgekv: decode %s: %w", name, err)
		}
	}
	if err := fn(&v); err != nil {
		return err
	}
	out, err := json.Marshal(&v)
	if err != nil {
		return err
	}
	return s.ns.PutString(key, string(out), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvrace
}
