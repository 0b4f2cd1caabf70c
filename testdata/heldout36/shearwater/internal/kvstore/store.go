//go:build js && wasm

// Package kvstore is the worker's thin adapter over a Workers KV binding.
// Keys passed to a Store are relative to its prefix; per-tenant stores are
// derived from the root store with ForTenant.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// ErrNotFound is returned by helpers that need a value to be present.
var ErrNotFound = errors.New("kvstore: not found")

// jsNull is what syscall/js renders for a JavaScript null.
const jsNull = "<null>"

// Store is a namespace plus a key prefix.
type Store struct {
	ns     *kv.Namespace
	prefix string
}

// Open binds the namespace named by binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("open kv %s: %w", binding, err)
	}
	return &Store{ns: ns}, nil
}

// Namespace exposes the raw binding for code that needs options the adapter
// does not model.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// ForTenant returns a store whose keys live under t/<tenant>/.
func (s *Store) ForTenant(tenant string) *Store {
	if tenant == "" {
		tenant = "_default"
	}
	return &Store{ns: s.ns, prefix: s.prefix + "t/" + tenant + "/"}
}

func (s *Store) key(k string) string { return s.prefix + k }

// Get returns the value under key, and whether it was present.
func (s *Store) Get(ctx context.Context, key string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	v, err := s.ns.GetString(s.key(key), nil)
	if err != nil {
		return "", false, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cacheTtl, for values that rarely change.
func (s *Store) GetCached(ctx context.Context, key string, cacheTTL time.Duration) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	v, err := s.ns.GetString(s.key(key), &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kv get %s: %w", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value under key. A zero ttl means the key does not expire.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(s.key(key), value, opts); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutUntil writes value under key with an absolute expiry.
func (s *Store) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ns.PutString(s.key(key), value, &kv.PutOptions{Expiration: int(at.Unix())}); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.ns.Delete(s.key(key)); err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing, with names relative to the store.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// ListPage lists one page of keys under prefix.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	res, err := s.ns.List(&kv.ListOptions{Prefix: s.key(prefix), Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s: %w", prefix, err)
	}
	p := Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, k.Name[len(s.prefix):])
	}
	return p, nil
}
