//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the small interfaces the
// edge services declare. The binding is looked up on every call, so the
// same Store follows the environment the request runs in.
package kvstore

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/gannet/internal/codec"
	"example.com/gannet/internal/ttl"
)

// Null is what the runtime hands back, as a string, for a missing key.
const Null = "<null>"

// Store is one KV binding.
type Store struct {
	binding    func() string
	defaultTTL ttl.Lifetime
	cacheTTL   int
	pageSize   int
	versions   map[string]int
	migrations codec.Migrations
}

// Option configures a Store.
type Option func(*Store)

// WithDefaultTTL sets the expiry of values written with Put.
func WithDefaultTTL(d time.Duration) Option {
	return func(s *Store) { s.defaultTTL = ttl.Lifetime(d) }
}

// WithCacheTTL sets how long edge locations may cache reads, in seconds.
func WithCacheTTL(seconds int) Option {
	return func(s *Store) { s.cacheTTL = seconds }
}

// WithPageSize sets how many keys Page returns at most.
func WithPageSize(n int) Option {
	return func(s *Store) { s.pageSize = n }
}

// WithSchema registers the current schema of a record kind (the key's
// first segment) and the migrations leading to it.
func WithSchema(kind string, version int, m codec.Migrations) Option {
	return func(s *Store) {
		s.versions[kind] = version
		for k, steps := range m {
			s.migrations[k] = steps
		}
	}
}

// Open returns a Store for the binding. binding may name an environment
// variable holding the binding name, in the form "$VAR".
func Open(binding string, opts ...Option) *Store {
	s := &Store{
		binding:    func() string { return binding },
		versions:   map[string]int{},
		migrations: codec.Migrations{},
	}
	if strings.HasPrefix(binding, "$") {
		s.binding = func() string { return cloudflare.Getenv(binding[1:]) }
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Namespace resolves the binding for direct use.
func (s *Store) Namespace() (*cloudflare.KVNamespace, error) {
	return cloudflare.NewKVNamespace(s.binding())
}

func (s *Store) getOptions() *cloudflare.KVNamespaceGetOptions {
	if s.cacheTTL == 0 {
		return nil
	}
	return &cloudflare.KVNamespaceGetOptions{CacheTTL: s.cacheTTL}
}

// Text returns the stored string as the runtime renders it.
func (s *Store) Text(_ context.Context, key string) (string, error) {
	ns, err := s.Namespace()
	if err != nil {
		return "", err
	}
	return ns.GetString(key, s.getOptions())
}

// Get returns the value of key and whether it exists.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.Text(ctx, key)
	if err != nil || v == Null {
		return nil, false, err
	}
	return []byte(v), true, nil
}

func kindOf(key string) string {
	kind, _, _ := strings.Cut(key, ":")
	return kind
}

// Load decodes the record at key into into, migrating old schemas.
func (s *Store) Load(ctx context.Context, key string, into any) (found bool, err error) {
	b, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	kind := kindOf(key)
	if _, err := codec.Unwrap(b, into, kind, s.versions[kind], s.migrations); err != nil {
		return false, fmt.Errorf("kvstore: %s: %w", key, err)
	}
	return true, nil
}

// Save encodes v in an envelope and writes it for lt.
func (s *Store) Save(ctx context.Context, key string, v any, lt ttl.Lifetime) error {
	kind := kindOf(key)
	b, err := codec.Wrap(kind, s.versions[kind], v)
	if err != nil {
		return err
	}
	return s.PutFor(ctx, key, b, lt)
}

func (s *Store) write(key string, value []byte, opts *cloudflare.KVNamespacePutOptions) error {
	if err := codec.CheckSize(value); err != nil {
		return fmt.Errorf("kvstore: %s: %w", key, err)
	}
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	return ns.PutReader(key, bytes.NewReader(value), opts)
}

// Put writes value with the store's default expiry.
func (s *Store) Put(_ context.Context, key string, value []byte) error {
	var opts *cloudflare.KVNamespacePutOptions
	if !s.defaultTTL.IsZero() {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: s.defaultTTL.Seconds().Int()}
	}
	return s.write(key, value, opts)
}

// PutFor writes value to expire after lt, raised to the store's floor.
func (s *Store) PutFor(_ context.Context, key string, value []byte, lt ttl.Lifetime) error {
	var opts *cloudflare.KVNamespacePutOptions
	if lt = lt.AtLeastFloor(); !lt.IsZero() {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: lt.Seconds().Int()}
	}
	return s.write(key, value, opts)
}

// PutSeconds writes value with an exact expiry in seconds.
func (s *Store) PutSeconds(_ context.Context, key string, value []byte, secs ttl.Seconds) error {
	return s.write(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: secs.Int()})
}

// Delete removes key.
func (s *Store) Delete(_ context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	return ns.Delete(key)
}

// Page lists one page of keys under prefix, starting at cursor.
func (s *Store) Page(_ context.Context, prefix, cursor string) (*cloudflare.KVNamespaceListResult, error) {
	ns, err := s.Namespace()
	if err != nil {
		return nil, err
	}
	return ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: s.pageSize})
}
