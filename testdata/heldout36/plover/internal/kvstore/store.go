//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the shapes the rest of the
// Worker uses: prefixed stores, (value, found, err) reads, durations for TTLs
// and a small unit of work that batches writes for a request.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullValue is what syscall/js renders for a JS null, which is what the
// binding resolves to when a key does not exist.
const nullValue = "<null>"

// defaultReadCacheTTL is the edge cache lifetime for reads, in seconds.
const defaultReadCacheTTL = 300

// ErrNotFound is returned by helpers that require a key to exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is a KV namespace seen through a key prefix.
type Store struct {
	ns     *cloudflare.KVNamespace
	prefix string
}

// Open binds the named KV namespace.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("open kv binding %s: %w", binding, err)
	}
	return &Store{ns: ns}, nil
}

// Sub returns a store whose keys all live under prefix.
func (s *Store) Sub(prefix string) *Store {
	return &Store{ns: s.ns, prefix: s.prefix + prefix}
}

// Namespace exposes the underlying binding for callers that need options the
// adapter does not model.
func (s *Store) Namespace() *cloudflare.KVNamespace { return s.ns }

// Prefix reports the store's key prefix.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) key(k string) string { return s.prefix + k }

// Get reads a key. A missing key is reported as found == false with no error.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := s.ns.GetString(s.key(key), &cloudflare.KVNamespaceGetOptions{CacheTTL: defaultReadCacheTTL})
	if err != nil {
		return "", false, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the value at key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	raw, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return ok, err
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// Put writes value under key. A zero ttl means the key never expires.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(s.key(key), value, opts); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return s.Put(ctx, key, string(b), ttl)
}

// PutCached writes a cache entry. Entries never live less than a minute, the
// shortest expiry the platform accepts.
func (s *Store) PutCached(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.ns.Delete(s.key(key)); err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// Tombstone replaces a key with an empty marker that expires on its own.
func (s *Store) Tombstone(ctx context.Context, key string) error {
	return s.Put(ctx, key, "", 10*time.Minute)
}

// Update applies fn to the current value of key and writes the result back.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old string, found bool) (string, error)) error {
	old, found, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	next, err := fn(old, found)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Page is one page of a key listing. Names are relative to the store prefix.
type Page struct {
	Names    []string
	Cursor   string
	Complete bool
}

// List returns one page of keys under prefix, starting at cursor.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: s.key(prefix),
		Cursor: cursor,
		Limit:  limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s: %w", prefix, err)
	}
	p := Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		p.Names = append(p.Names, k.Name[len(s.prefix):])
	}
	return p, nil
}

// Record is anything that knows its own key and lifetime.
type Record interface {
	Key() string
	Lifetime() time.Duration
}

// SaveAll writes every item as JSON under its own key and lifetime.
func SaveAll[T interface {
	Key() string
	Lifetime() time.Duration
}](ctx context.Context, s *Store, items []T) error {
	for _, it := range items {
		if err := s.PutJSON(ctx, it.Key(), it, it.Lifetime()); err != nil {
			return fmt.Errorf("save %s: %w", it.Key(), err)
		}
	}
	return nil
}
