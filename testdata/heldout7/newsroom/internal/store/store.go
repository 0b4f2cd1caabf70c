// Package store defines the storage port the newsroom services depend on.
// Production wires it to a Workers KV namespace (see kvstore); tests use
// memstore. Decorators in store/decorate add logging, metrics and a small
// in-process read cache without changing the contract.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("store: key not found")

// Store is a flat key/value store with optional expiry.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, p ListParams) (Page, error)
}

// PutFunc has the shape of Store.Put so callers can inject just the writer.
type PutFunc func(ctx context.Context, key string, value []byte, opts ...PutOption) error

// PutConfig is the resolved form of a set of PutOptions.
type PutConfig struct {
	TTL       time.Duration
	ExpiresAt time.Time
}

// PutOption tweaks a single write.
type PutOption func(*PutConfig)

// WithTTL expires the entry after d.
func WithTTL(d time.Duration) PutOption {
	return func(c *PutConfig) { c.TTL = d }
}

// WithExpiresAt expires the entry at an absolute time.
func WithExpiresAt(t time.Time) PutOption {
	return func(c *PutConfig) { c.ExpiresAt = t }
}

// Apply folds opts into a PutConfig.
func Apply(opts []PutOption) PutConfig {
	var c PutConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// ListParams selects one page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete is true on the last page.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}
