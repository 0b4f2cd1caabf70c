// Package store defines the storage port used by every identity component.
// Production wires a Workers KV adapter (kvsdk or kvrest); tests use memstore.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("store: key not found")

// Store is the key/value port. Keys are opaque strings; values are raw bytes.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (*Page, error)
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key. Values are not included.
type KeyInfo struct {
	Name       string          `json:"name"`
	Expiration int64           `json:"expiration"`
	Metadata   json.RawMessage `json:"metadata"`
}

// Page is one page of a listing. Complete is true when there is nothing left
// to fetch; Cursor continues the listing otherwise.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOptions are collected from PutOption values by adapters.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  any
}

// PutOption configures a single write.
type PutOption func(*PutOptions)

// WithTTL expires the entry d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// ExpiresAt expires the entry at an absolute time.
func ExpiresAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpiresAt = t }
}

// WithMetadata attaches JSON metadata that is returned by List.
func WithMetadata(m any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Collect applies opts in order.
func Collect(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}
