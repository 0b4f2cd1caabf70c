//go:build js && wasm

// Package edgekv adapts the Workers KV binding to the shapes the Worker code
// uses: sentinel errors for misses, durations for lifetimes, and generic
// helpers for values that implement record.Record.
package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/harborclinic/stint/internal/record"
)

// ErrNotFound is returned when a key does not exist (or has expired).
var ErrNotFound = errors.New("edgekv: not found")

// jsNull is what syscall/js renders a JavaScript null as.
const jsNull = "<null>"

// putValue performs the actual write. Tests replace it with an in-memory map.
var putValue = realPut

func realPut(ns *kv.Namespace, key, value string, opts *kv.PutOptions) error {
	return ns.PutString(key, value, opts)
}

// deleteValue performs the actual delete. Tests replace it.
var deleteValue = func(ns *kv.Namespace, key string) error { return ns.Delete(key) }

// Namespace is the name of a KV binding in wrangler.toml.
type Namespace string

// Bindings used by the Worker.
const (
	Availability Namespace = "AVAILABILITY"
	Portal       Namespace = "PORTAL"
	Reminders    Namespace = "REMINDERS"
)

// Open binds the namespace.
func (n Namespace) Open() (*Store, error) {
	ns, err := kv.NewNamespace(string(n))
	if err != nil {
		return nil, fmt.Errorf("bind %s: %w", n, err)
	}
	return &Store{ns: ns, name: string(n)}, nil
}

// Store is a bound namespace.
type Store struct {
	ns   *kv.Namespace
	name string
}

// Raw exposes the SDK namespace for code that needs list or streaming reads.
func (s *Store) Raw() *kv.Namespace { return s.ns }

// Get returns the value of key, or ErrNotFound.
func (s *Store) Get(key string) (string, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", fmt.Errorf("%s get %q: %w", s.name, key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

// GetCached is Get with an edge cache lifetime in seconds.
func (s *Store) GetCached(key string, cacheSeconds int) (string, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: cacheSeconds})
	if err != nil {
		return "", fmt.Errorf("%s get %q: %w", s.name, key, err)
	}
	if v == jsNull {
		return "", ErrNotFound
	}
	return v, nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := putValue(s.ns, key, value, opts); err != nil {
		return fmt.Errorf("%s put %q: %w", s.name, key, err)
	}
	return nil
}

// PutAtLeast writes with a lifetime of at least one minute, for callers whose
// lifetime comes from elsewhere.
func (s *Store) PutAtLeast(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(key, value, ttl)
}

// PutUntil writes with an absolute expiry.
func (s *Store) PutUntil(key, value string, at time.Time) error {
	return putValue(s.ns, key, value, &kv.PutOptions{Expiration: int(at.Unix())})
}

// Delete removes key.
func (s *Store) Delete(key string) error {
	if err := deleteValue(s.ns, key); err != nil {
		return fmt.Errorf("%s delete %q: %w", s.name, key, err)
	}
	return nil
}

// Save stores rec as JSON under its own key and lifetime.
func Save[T record.Record](ctx context.Context, s *Store, rec T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode %T: %w", rec, err)
	}
	return s.Put(rec.Key(), string(b), rec.TTL())
}

// Load reads the JSON value at key into a T.
func Load[T any](ctx context.Context, s *Store, key string) (T, error) {
	var out T
	if err := ctx.Err(); err != nil {
		return out, err
	}
	raw, err := s.Get(key)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return out, fmt.Errorf("decode %q: %w", key, err)
	}
	return out, nil
}

// Remove deletes a record by its own key.
func Remove[T record.Record](ctx context.Context, s *Store, rec T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Delete(rec.Key())
}

// Writer writes one value; the Worker passes Store.Put-shaped functions around
// so that batch jobs can be pointed at a dry-run writer.
type Writer func(key, value string) error

// JSON encodes v and writes it.
func (w Writer) JSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w(key, string(b))
}

// Forever returns a Writer that stores values without expiry.
func (s *Store) Forever() Writer {
	return func(key, value string) error { return s.Put(key, value, 0) }
}
