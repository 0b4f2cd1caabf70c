// Package kvstore is the storage port for key-value state; cfkv adapts Workers KV to it.
package kvstore

import (
	"context"
	"errors"
	"time"
)

var (
	ErrNotFound    = errors.New("kvstore: key not found")
	ErrUnsupported = errors.New("kvstore: capability not supported by this store")
)

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration // relative expiry; zero means none
	ExpireAt time.Time     // absolute expiry, ignored when TTL is set
	Metadata any           // returned by List; must serialise to JSON
}

// Reader reads single entries.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes and removes single entries.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Store is the full single-key capability set.
type Store interface {
	Reader
	Writer
}

// KeyInfo describes one listed key. Values are not included.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   any
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix, Cursor string
	Limit          int
}

// Page is one page of a listing. Complete is false while more keys may follow, even when Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Lister is implemented by stores that can enumerate keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value []byte
	Opts  PutOptions
}

// BulkWriter writes many entries in one request and returns the keys it did not write.
type BulkWriter interface {
	PutMany(ctx context.Context, pairs []Pair) (failed []string, err error)
}

// AsLister reports whether st can list keys.
func AsLister(st Store) (Lister, bool) {
	l, ok := st.(Lister)
	return l, ok
}

// AsBulkWriter reports whether st can write in bulk.
func AsBulkWriter(st Store) (BulkWriter, bool) {
	bw, ok := st.(BulkWriter)
	return bw, ok
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
