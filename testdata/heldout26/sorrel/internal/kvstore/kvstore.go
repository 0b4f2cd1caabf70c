// Package kvstore defines the key-value storage port shared by the edge worker
// and the backend services, together with the per-call options every adapter
// understands.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("kvstore: key not found")

// MinTTL is the shortest expiration the platform accepts.
const MinTTL = time.Minute

// KeyInfo describes one key returned by List.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the storage port. Adapters exist for the Workers binding, the
// Cloudflare REST API and an in-memory map.
type Store interface {
	Get(ctx context.Context, key string, opts ...Option) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string, opts ...Option) (Page, error)
}

// Save encodes v as JSON and writes it under v.Key() with v.TTL().
func Save[T interface {
	Key() string
	TTL() time.Duration
}](ctx context.Context, s Store, v T, opts ...Option) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", v.Key(), err)
	}
	all := make([]Option, 0, len(opts)+1)
	if ttl := v.TTL(); ttl > 0 {
		all = append(all, WithTTL(ttl))
	}
	all = append(all, opts...)
	return s.Put(ctx, v.Key(), raw, all...)
}

// Load reads key and decodes it as JSON into a T. A missing key yields
// ErrNotFound and the zero value.
func Load[T any](ctx context.Context, s Store, key string, opts ...Option) (T, error) {
	var zero T
	raw, err := s.Get(ctx, key, opts...)
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return v, nil
}

// ClampTTL raises d to the platform minimum.
func ClampTTL(d time.Duration) time.Duration {
	return max(d, MinTTL)
}

// IsMissing reports whether err means the key was not there.
func IsMissing(err error) bool {
	return errors.Is(err, ErrNotFound)
}

// Options is the resolved form of a list of Option values. Adapters read it;
// callers build it with the With* constructors.
type Options struct {
	TTL      time.Duration
	ExpireAt time.Time
	CacheTTL time.Duration
	Limit    int
	Cursor   string
	Metadata map[string]any
}

// Option configures a single storage call or a component's defaults.
type Option interface {
	apply(*Options)
}

type ttlOption time.Duration

func (o ttlOption) apply(p *Options) { p.TTL = time.Duration(o) }

type expireAtOption time.Time

func (o expireAtOption) apply(p *Options) { p.ExpireAt = time.Time(o) }

type cacheTTLOption time.Duration

func (o cacheTTLOption) apply(p *Options) { p.CacheTTL = time.Duration(o) }

type limitOption int

func (o limitOption) apply(p *Options) { p.Limit = int(o) }

type cursorOption string

func (o cursorOption) apply(p *Options) { p.Cursor = string(o) }

type metadataOption struct{ m map[string]any }

func (o metadataOption) apply(p *Options) {
	if p.Metadata == nil {
		p.Metadata = make(map[string]any, len(o.m))
	}
	maps.Copy(p.Metadata, o.m)
}

// WithTTL sets a relative expiration on a write.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

// ExpireAt sets an absolute expiration on a write.
func ExpireAt(t time.Time) Option { return expireAtOption(t) }

// WithCacheTTL sets how long an edge location may cache a read.
func WithCacheTTL(d time.Duration) Option { return cacheTTLOption(d) }

// WithLimit sets the page size of a listing.
func WithLimit(n int) Option { return limitOption(n) }

// WithCursor continues a listing from a previous page.
func WithCursor(c string) Option { return cursorOption(c) }

// WithMetadata attaches metadata to a write. Repeated options are merged.
func WithMetadata(m map[string]any) Option { return metadataOption{m: m} }

// Collect resolves opts in order; later options win.
func Collect(opts ...Option) Options {
	var o Options
	for _, op := range opts {
		if op != nil {
			op.apply(&o)
		}
	}
	return o
}
