//go:build js && wasm

// Package edgekv adapts a Workers KV binding (syumai/workers) to the domain's
// EdgeStore contract.
package edgekv

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"brant/internal/domain"
	"brant/internal/tracing"
	"brant/internal/units"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string.
const jsNull = "<null>"

const defaultListLimit = 1000

// Store is a KV namespace bound to the Worker.
type Store struct {
	ns      *kv.Namespace
	binding string
}

var (
	_ domain.EdgeStore = (*Store)(nil)
	_ CachePutter      = (*Store)(nil)
)

// CachePutter writes cache entries with a floor on their lifetime.
type CachePutter interface {
	PutCache(ctx context.Context, key, value string, ttl time.Duration) error
}

// New binds the namespace named binding.
func New(binding string) (domain.EdgeStore, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the underlying binding for code that needs the raw API.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// Get returns the value at key and whether it exists.
func (s *Store) Get(ctx context.Context, key string, o domain.ReadOpts) (v string, ok bool, err error) {
	_, end := tracing.Start(ctx, "kv.get", tracing.Str("key", key), tracing.Str("ns", s.binding))
	defer end(&err)
	var opts *kv.GetOptions
	if o.CacheTTL != nil {
		opts = &kv.GetOptions{CacheTTL: int(o.CacheTTL.Seconds())}
	}
	v, err = s.ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value at key.
func (s *Store) Put(ctx context.Context, key, value string, o domain.WriteOpts) (err error) {
	_, end := tracing.Start(ctx, "kv.put", tracing.Str("key", key), tracing.Int("bytes", len(value)))
	defer end(&err)
	opts := &kv.PutOptions{}
	if o.TTL != nil {
		opts.ExpirationTTL = int(o.TTL.Seconds())
	}
	if o.ExpireAt != nil {
		opts.Expiration = int(o.ExpireAt.Unix())
	}
	return s.ns.PutString(key, value, opts)
}

// PutCache writes a cache entry; lifetimes under a minute are raised to one.
func (s *Store) PutCache(ctx context.Context, key, value string, ttl time.Duration) (err error) {
	_, end := tracing.Start(ctx, "kv.put_cache", tracing.Str("key", key))
	defer end(&err)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)})
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	_, end := tracing.Start(ctx, "kv.delete", tracing.Str("key", key))
	defer end(&err)
	return s.ns.Delete(key)
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, o domain.ListOpts) (p domain.Page, err error) {
	_, end := tracing.Start(ctx, "kv.list", tracing.Str("prefix", units.Deref(o.Prefix, "")))
	defer end(&err)
	res, err := s.ns.List(&kv.ListOptions{
		Prefix: units.Deref(o.Prefix, ""),
		Limit:  units.Deref(o.Limit, defaultListLimit),
		Cursor: o.Cursor,
	})
	if err != nil {
		return domain.Page{}, err
	}
	p = domain.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		p.Keys = append(p.Keys, k.Name)
	}
	return p, nil
}

// GetString returns exactly what the binding returns, for callers that
// handle the encoding themselves.
func (s *Store) GetString(ctx context.Context, key string) (v string, err error) {
	_, end := tracing.Start(ctx, "kv.get_raw", tracing.Str("key", key))
	defer end(&err)
	return s.ns.GetString(key, nil)
}
