// Package storage defines the key-value port Linnet's services depend on;
// the Workers KV (edge, REST) and in-memory adapters live in subpackages.
package storage

import (
	"context"
	"errors"
	"maps"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist or has expired.
var ErrNotFound = errors.New("storage: key not found")

// Store is the port every adapter implements.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (ListPage, error)
}

// PutOptions is the resolved form of a set of PutOption values. Adapters
// prefer TTL (relative to the write) over ExpiresAt when both are set.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  map[string]any
}

// PutOption customises a single write.
type PutOption func(*PutOptions)

// WithTTL expires the value d after it is written.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiry expires the value at t.
func WithExpiry(t time.Time) PutOption { return func(o *PutOptions) { o.ExpiresAt = t } }

// WithMetadata attaches small, listable metadata to the value.
func WithMetadata(md map[string]any) PutOption {
	return func(o *PutOptions) {
		if o.Metadata == nil {
			o.Metadata = map[string]any{}
		}
		maps.Copy(o.Metadata, md)
	}
}

// ApplyPut folds opts into a PutOptions value.
func ApplyPut(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// ListOptions selects one page of keys; a zero Limit lets the backend decide.
type ListOptions struct {
	Prefix, Cursor string
	Limit          int
}

// KeyInfo describes one listed key. Values are never returned by List.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// ListPage is one page of a listing. Complete is false while more keys may
// follow, even when Keys is empty.
type ListPage struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}
