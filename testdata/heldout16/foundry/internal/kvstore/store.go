// Package kvstore is the storage port used by the domain packages, with an
// adapter for Workers KV over the Cloudflare REST API.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the narrow key-value port the services depend on.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix, Cursor string
	Limit          int
}

// Page is one page of a key listing. Values are not included.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// KeyInfo describes a listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// PutConfig collects the options of a single write.
type PutConfig struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// PutOption customises a write.
type PutOption func(*PutConfig)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption { return func(c *PutConfig) { c.TTL = d } }

// WithExpireAt expires the value at t.
func WithExpireAt(t time.Time) PutOption { return func(c *PutConfig) { c.ExpireAt = t } }

// WithMetadata attaches listing metadata to the value.
func WithMetadata(m map[string]any) PutOption { return func(c *PutConfig) { c.Metadata = m } }

// Options folds opts into a PutConfig.
func Options(opts []PutOption) PutConfig {
	var c PutConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}
