//go:build js && wasm

// Package kvx adapts the Workers KV binding to Wren's storage contracts.
package kvx

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wren/internal/config"
	"wren/internal/keys"
	"wren/internal/store"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string; the KV
// binding resolves get() to null when the key does not exist.
const jsNull = "<null>"

// Page is one page of a key listing.
type Page struct {
	Keys   []string
	Cursor string
	Done   bool
}

// KV is what edge domain packages need from a namespace.
type KV interface {
	store.KV
	Page(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

var _ KV = (*Store)(nil)

// Store is one KV namespace binding.
type Store struct {
	ns   *cloudflare.KVNamespace
	name string
}

// Open binds the namespace named binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("open kv binding %s: %w", binding, err)
	}
	return &Store{ns: ns, name: binding}, nil
}

// Namespace exposes the raw binding for streaming reads and legacy handlers.
func (s *Store) Namespace() *cloudflare.KVNamespace { return s.ns }

func (s *Store) opErr(op, key string, err error) error {
	return &store.OpError{Op: op, Namespace: s.name, Key: key, Err: err}
}

// Get reads key; ok is false when the key does not exist.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, s.opErr("get", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached reads key and lets the edge cache it for cacheTTL seconds.
func (s *Store) GetCached(ctx context.Context, key string, cacheTTL keys.Seconds) (string, bool, error) {
	v, err := s.ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL)})
	if err != nil {
		return "", false, s.opErr("get", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetJSON decodes the JSON value of key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	v, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return false, s.opErr("decode", key, err)
	}
	return true, nil
}

// Put writes value under key; ttl of zero means no expiry.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return s.opErr("put", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return s.opErr("encode", key, err)
	}
	return s.Put(ctx, key, string(b), ttl)
}

// PutUntil writes value under key, expiring at the absolute time at.
func (s *Store) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	opts := &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return s.opErr("put", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.ns.Delete(key); err != nil {
		return s.opErr("delete", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix, starting at cursor.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, s.opErr("list", prefix, err)
	}
	p := Page{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, k.Name)
	}
	return p, nil
}

// Pager returns a function that yields successive pages of keys under
// prefix. more is false once the listing is complete.
func (s *Store) Pager(ctx context.Context, prefix string, size int) func() (names []string, more bool, err error) {
	var cursor string
	done := false
	return func() ([]string, bool, error) {
		if done {
			return nil, false, nil
		}
		p, err := s.Page(ctx, prefix, cursor, size)
		if err != nil {
			return nil, false, err
		}
		cursor, done = p.Cursor, p.Done
		return p.Keys, !done, nil
	}
}

// LeaseError is returned when another owner holds a lease.
type LeaseError struct {
	Key    string
	Holder string
}

func (e *LeaseError) Error() string { return fmt.Sprintf("lease %s held by %s", e.Key, e.Holder) }

// Lease takes an advisory lease on key for owner. Call release when done.
func (s *Store) Lease(ctx context.Context, key, owner string, ttl time.Duration) (release func(), err error) {
	cur, held, err := s.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	if held && cur != owner {
		return nil, &LeaseError{Key: key, Holder: cur}
	}
	if err := s.Put(ctx, key, owner, ttl); err != nil { // EXPECT kvrace
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	return func() {
		if err := s.Delete(context.WithoutCancel(ctx), key); err != nil {
			fmt.Printf("lease release %s: %v\n", key, err)
		}
	}, nil
}

// UnknownTenantError is returned for a tenant without a namespace binding.
type UnknownTenantError struct{ Tenant string }

func (e *UnknownTenantError) Error() string { return fmt.Sprintf("unknown tenant %q", e.Tenant) }

// Tenants maps tenant ids to their namespaces.
type Tenants struct {
	byID   map[string]*Store
	shared *Store
}

// OpenTenants opens every tenant binding plus the shared WREN_SHARED namespace.
func OpenTenants(cfg config.Config) (*Tenants, error) {
	t := &Tenants{byID: make(map[string]*Store, len(cfg.Tenants))}
	for _, tc := range cfg.Tenants {
		st, err := Open(tc.Binding)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", tc.ID, err)
		}
		t.byID[tc.ID] = st
	}
	shared, err := Open("WREN_SHARED")
	if err != nil {
		return nil, err
	}
	t.shared = shared
	return t, nil
}

// For returns the namespace of tenant id.
func (t *Tenants) For(id string) (*Store, error) {
	st, ok := t.byID[id]
	if !ok {
		return nil, &UnknownTenantError{Tenant: id}
	}
	return st, nil
}

// Shared is the namespace for cross-tenant data (abuse limits, slugs).
func (t *Tenants) Shared() *Store { return t.shared }
