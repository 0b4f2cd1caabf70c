// Package storage defines the key-value ports the domain packages depend on;
// cfkv implements them on Workers KV, memstore in memory.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// PutOptions control expiry and metadata for a single write.
type PutOptions struct {
	// TTL expires the key this long after the write. Zero means no TTL.
	TTL time.Duration
	// ExpireAt expires the key at an absolute time. Zero means none.
	ExpireAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata map[string]any
}

// KeyInfo is one key as returned by List.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// ListOptions select a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of keys. Complete is false while more pages remain.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Entry is a key, value and its options for bulk writes.
type Entry struct {
	Key     string
	Value   []byte
	Options PutOptions
}

// Reader reads single values.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes and removes single values.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Lister pages through keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// BulkReader fetches many keys; missing keys are absent from the map.
type BulkReader interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

// BulkWriter writes many entries in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// ReadWriter is the port most repositories need.
type ReadWriter interface {
	Reader
	Writer
}

// Store is everything the adapters implement.
type Store interface {
	ReadWriter
	Lister
	BulkReader
	BulkWriter
}

// Limits the adapters enforce or callers should respect.
const (
	MaxBulkGet  = 100
	MaxBulkPut  = 10000
	MaxPageSize = 1000
	MinTTL      = 60 * time.Second
)
