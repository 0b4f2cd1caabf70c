//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the storage ports the edge
// services use: prefixes, expiry defaults and JSON handling live here.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// jsNull is what the binding's text read yields for a key that is not there:
// the JavaScript null rendered as a Go string.
const jsNull = "<null>"

// Store wraps one KV binding.
type Store struct {
	binding  string
	ns       *kv.Namespace
	prefix   string
	ttl      time.Duration
	cacheTTL time.Duration
	pageSize int
	open     func(string) (*kv.Namespace, error)
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix scopes every key of the Store under p.
func WithPrefix(p string) Option {
	return func(s *Store) { s.prefix = strings.TrimSuffix(p, ":") + ":" }
}

// WithTTL sets the expiry Put applies; WithCacheTTL how long edge locations
// may cache reads; WithPageSize how many keys Page asks for.
func WithTTL(d time.Duration) Option      { return func(s *Store) { s.ttl = d } }
func WithCacheTTL(d time.Duration) Option { return func(s *Store) { s.cacheTTL = d } }
func WithPageSize(n int) Option           { return func(s *Store) { s.pageSize = n } }

// Open returns a Store for the named binding, resolved on first use (the
// runtime environment only exists inside a request or scheduled event).
func Open(binding string, opts ...Option) *Store {
	s := &Store{binding: binding, pageSize: 500, open: kv.NewNamespace}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Namespace returns the underlying binding for the few callers that need the raw API.
func (s *Store) Namespace() (*kv.Namespace, error) {
	if s.ns != nil {
		return s.ns, nil
	}
	ns, err := s.open(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open %s: %w", s.binding, err)
	}
	s.ns = ns
	return ns, nil
}

func (s *Store) key(k string) string { return s.prefix + k }

func (s *Store) getOptions() *kv.GetOptions {
	if s.cacheTTL <= 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: int(s.cacheTTL / time.Second)}
}

// Get returns the value at key and whether it exists.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	ns, err := s.Namespace()
	if err != nil {
		return nil, false, err
	}
	v, err := ns.GetString(s.key(key), s.getOptions())
	if err != nil {
		return nil, false, err
	}
	if v == jsNull {
		return nil, false, nil
	}
	return []byte(v), true, nil
}

// GetRaw returns the binding's text read as is. Callers that use it know the key is always written before it is read.
func (s *Store) GetRaw(ctx context.Context, key string) (string, error) {
	ns, err := s.Namespace()
	if err != nil {
		return "", err
	}
	return ns.GetString(s.key(key), s.getOptions())
}

// Load decodes the JSON value at key into into. found is false on a miss.
func (s *Store) Load(ctx context.Context, key string, into any) (found bool, err error) {
	b, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return true, fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return true, nil
}

// Put stores val under key with the Store's default expiry.
func (s *Store) Put(ctx context.Context, key string, val []byte) error {
	return s.PutFor(ctx, key, val, s.ttl)
}

// PutFor stores val under key for ttl. A zero ttl stores without expiry.
func (s *Store) PutFor(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return ns.PutString(s.key(key), string(val), opts)
}

// PutAtLeast is PutFor with ttl raised to KV's minimum, for wall-clock expiries.
func (s *Store) PutAtLeast(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutFor(ctx, key, val, ttl)
}

// Save encodes v as JSON and stores it for ttl.
func (s *Store) Save(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	return s.PutFor(ctx, key, b, ttl)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	return ns.Delete(s.key(key))
}

// Update applies fn to the current value at key and writes the result back. fn sees nil when the key does not exist.
func (s *Store) Update(ctx context.Context, key string, fn func(old []byte) ([]byte, error)) error {
	old, _, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	if next == nil {
		return nil
	}
	return s.PutFor(ctx, key, next, s.ttl) // EXPECT kvrace
}

// Page lists one page of keys under prefix starting at cursor. The returned
// names have the Store prefix removed; next is empty after the last page.
func (s *Store) Page(ctx context.Context, prefix, cursor string) (names []string, next string, err error) {
	ns, err := s.Namespace()
	if err != nil {
		return nil, "", err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: s.key(prefix), Cursor: cursor, Limit: s.pageSize})
	if err != nil {
		return nil, "", err
	}
	names = make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, s.prefix))
	}
	if !res.ListComplete {
		next = res.Cursor
	}
	return names, next, nil
}
