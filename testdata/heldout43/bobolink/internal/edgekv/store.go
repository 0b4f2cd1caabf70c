//go:build js && wasm

// Package edgekv wraps the Worker's KV bindings with typed keys, domain
// errors and a per-tenant registry.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// ErrNotFound is returned when a key does not exist (or has expired).
var ErrNotFound = errors.New("edgekv: not found")

// jsNull is how syscall/js renders a JavaScript null returned by KV.get.
const jsNull = "<null>"

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// Store is one KV namespace binding.
type Store struct {
	ns      *cloudflare.KVNamespace
	binding string
}

// Open binds the namespace declared as binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the underlying binding for callers that need options the
// wrapper does not offer.
func (s *Store) Namespace() *cloudflare.KVNamespace { return s.ns }

// Get reads key as text.
func (s *Store) Get(ctx context.Context, key fmt.Stringer) (string, error) {
	v, err := s.ns.GetString(key.String(), nil)
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

// GetWarm reads key and lets the edge cache keep it for cacheTTL.
func (s *Store) GetWarm(ctx context.Context, key fmt.Stringer, cacheTTL time.Duration) (string, error) {
	v, err := s.ns.GetString(key.String(), &cloudflare.KVNamespaceGetOptions{
		CacheTTL: int(cacheTTL.Seconds()),
	})
	if err != nil {
		return "", fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

// Put writes value under key. A positive ttl sets expirationTtl.
func (s *Store) Put(ctx context.Context, key fmt.Stringer, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key.String(), value, opts); err != nil {
		return fmt.Errorf("edgekv: put %s: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. Cache entries always live at least MinTTL.
func (s *Store) PutCache(ctx context.Context, key fmt.Stringer, value string, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.ns.PutString(key.String(), value, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(ttl.Seconds()),
	})
}

// PutUntil writes value and expires it at the given instant.
func (s *Store) PutUntil(ctx context.Context, key fmt.Stringer, value string, at time.Time) error {
	return s.ns.PutString(key.String(), value, &cloudflare.KVNamespacePutOptions{
		Expiration: int(at.Unix()),
	})
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key fmt.Stringer) error {
	if err := s.ns.Delete(key.String()); err != nil {
		return fmt.Errorf("edgekv: delete %s: %w", key, err)
	}
	return nil
}

// Page is one page of a listing.
type Page struct {
	Names  []string
	Cursor string
	Done   bool
}

// ListPage returns one page of keys under prefix.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return Page{}, fmt.Errorf("edgekv: list %s: %w", prefix, err)
	}
	p := Page{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		p.Names = append(p.Names, k.Name)
	}
	return p, nil
}
