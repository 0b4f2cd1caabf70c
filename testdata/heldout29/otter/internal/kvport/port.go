// Package kvport defines the storage port the services are written
// against. Adapters for Cloudflare Workers KV and an in-memory store
// implement it.
package kvport

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or expired.
var ErrNotFound = errors.New("kvport: key not found")

func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Store is the minimal key-value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts *PutOpts) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// MetaStore also returns the metadata written alongside a value.
type MetaStore interface {
	Store
	GetWithMeta(ctx context.Context, key string) ([]byte, json.RawMessage, error)
}

// BulkReader reads many keys in one request.
type BulkReader interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

type Pair struct {
	Key   string
	Value []byte
	Opts  *PutOpts
}

type ListQuery struct {
	Prefix, Cursor string
	Limit          int
}

// KeyInfo describes one listed key. Values are not returned by List.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   json.RawMessage
}

type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOpts carries optional write settings; a nil *PutOpts means "use the
// store's defaults". ExpiresAt is in seconds since the UNIX epoch.
type PutOpts struct {
	TTL       time.Duration
	ExpiresAt int64
	Metadata  any
}

func (o *PutOpts) Lifetime(def time.Duration) time.Duration {
	if o == nil || o.TTL == 0 {
		return def
	}
	return o.TTL
}

func (o *PutOpts) Deadline() int64 {
	if o == nil {
		return 0
	}
	return o.ExpiresAt
}

func (o *PutOpts) Meta() any {
	if o == nil {
		return nil
	}
	return o.Metadata
}

// Opener hands out stores bound to a logical bucket.
type Opener interface {
	Open(name string, opts ...BucketOption) Store
}

type BucketConfig struct {
	Name, Prefix string
	Lifetime     time.Duration
}

type BucketOption func(*BucketConfig)

// WithLifetime sets the default lifetime of writes that carry none.
func WithLifetime(d time.Duration) BucketOption { return func(c *BucketConfig) { c.Lifetime = d } }

// WithPrefix overrides the key prefix (by default the name and a colon).
func WithPrefix(p string) BucketOption { return func(c *BucketConfig) { c.Prefix = p } }

// ResolveBucket applies opts over the defaults for name.
func ResolveBucket(name string, opts ...BucketOption) BucketConfig {
	cfg := BucketConfig{Name: name, Prefix: name + ":"}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}
