//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the types plover uses:
// keys are fmt.Stringer values, lifetimes are time.Duration, and a missing
// key is reported as ok == false instead of the runtime's rendering of null.
package edgekv

import (
	"bytes"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/keys"
)

// null is what syscall/js renders for the JavaScript null that KV returns
// for a key that does not exist.
const null = "<null>"

// PageSize is the number of keys requested per list call.
const PageSize = 1000

// Store wraps one KV namespace binding.
type Store struct {
	ns      *cloudflare.KVNamespace
	binding string
}

// Open binds the namespace declared under binding in wrangler.toml.
func Open(binding string) (*Store, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Binding returns the name of the binding behind s.
func (s *Store) Binding() string { return s.binding }

// NS exposes the underlying namespace for code that needs options the
// adapter does not model.
func (s *Store) NS() *cloudflare.KVNamespace { return s.ns }

// Get returns the value under key; ok is false when the key does not exist.
func (s *Store) Get(key fmt.Stringer) (v string, ok bool, err error) {
	v, err = s.ns.GetString(key.String(), nil)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get for write-rarely values; the edge keeps the value for
// cacheTTL before asking the central store again.
func (s *Store) GetCached(key fmt.Stringer, cacheTTL time.Duration) (string, bool, error) {
	opts := &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL.Seconds())}
	v, err := s.ns.GetString(key.String(), opts)
	if err != nil {
		return "", false, fmt.Errorf("edgekv: get %s: %w", key, err)
	}
	if v == null {
		return "", false, nil
	}
	return v, true, nil
}

// Raw returns the value exactly as the runtime hands it over.
func (s *Store) Raw(key string) (string, error) {
	return s.ns.GetString(key, nil)
}

// Put writes val under key. A zero ttl stores the value without expiry.
func (s *Store) Put(key fmt.Stringer, val string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key.String(), val, opts); err != nil {
		return fmt.Errorf("edgekv: put %s: %w", key, err)
	}
	return nil
}

// PutBytes writes a binary value under key.
func (s *Store) PutBytes(key fmt.Stringer, b []byte, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutReader(key.String(), bytes.NewReader(b), opts)
}

// PutUntil writes val so that it expires at the absolute time at.
func (s *Store) PutUntil(key fmt.Stringer, val string, at time.Time) error {
	return s.ns.PutString(key.String(), val, &cloudflare.KVNamespacePutOptions{Expiration: int(at.Unix())})
}

// Delete removes key.
func (s *Store) Delete(key fmt.Stringer) error {
	if err := s.ns.Delete(key.String()); err != nil {
		return fmt.Errorf("edgekv: delete %s: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix starting at cursor, together
// with the cursor of the next page ("" when the listing is complete).
func (s *Store) Page(prefix keys.Prefix, cursor string) ([]string, string, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: string(prefix),
		Cursor: cursor,
		Limit:  PageSize,
	})
	if err != nil {
		return nil, "", fmt.Errorf("edgekv: list %s: %w", prefix, err)
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Update reads the value under key, passes it to fn and stores the result.
// found tells fn whether the key existed.
func (s *Store) Update(key fmt.Stringer, ttl time.Duration, fn func(old string, found bool) (string, error)) error {
	old, found, err := s.Get(key)
	if err != nil {
		return err
	}
	next, err := fn(old, found)
	if err != nil {
		return err
	}
	return s.Put(key, next, ttl) // EXPECT kvrace
}

// Load reads the value under a string-typed key and decodes it.
func Load[K ~string, V any](s *Store, key K, decode func(string) (V, error)) (V, bool, error) {
	var zero V
	raw, err := s.ns.GetString(string(key), nil)
	if err != nil {
		return zero, false, fmt.Errorf("edgekv: get %s: %w", string(key), err)
	}
	if raw == null {
		return zero, false, nil
	}
	v, err := decode(raw)
	if err != nil {
		return zero, false, fmt.Errorf("edgekv: decode %s: %w", string(key), err)
	}
	return v, true, nil
}

// StoreAs writes an encoded value under a string-typed key.
func StoreAs[K ~string](s *Store, key K, raw string, ttl time.Duration) error {
	return s.Put(keys.Key(key), raw, ttl)
}
