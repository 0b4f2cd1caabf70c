// Package storage defines the key-value port used by every service. Adapters
// live in subpackages: cfkv talks to Workers KV over the Cloudflare API and
// memkv keeps everything in memory for tests and local runs.
package storage

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrNotFound is returned by Get when the key does not exist.
	ErrNotFound = errors.New("storage: key not found")
	// ErrUnsupported is returned when a store lacks an optional capability.
	ErrUnsupported = errors.New("storage: operation not supported by this store")
)

// IsNotFound reports whether err means the key is missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Reader reads single values.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes and removes single values. A zero ttl never expires.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// Store is the full single-key port.
type Store interface {
	Reader
	Writer
}

// KeyInfo describes one listed key. Listings do not return values.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Item is one entry of a bulk write.
type Item struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// Optional capabilities, found with As.
type (
	Lister interface {
		List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
	}
	BulkWriter interface {
		PutMany(ctx context.Context, items []Item) error
	}
	BulkReader interface {
		GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	}
	MetaWriter interface {
		PutWithMetadata(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error
	}
	// Unwrapper is implemented by decorators.
	Unwrapper interface {
		Unwrap() Store
	}
)

// As finds the first store in a decorator chain that implements T.
func As[T any](st Store) (T, bool) {
	for st != nil {
		if t, ok := st.(T); ok {
			return t, true
		}
		u, ok := st.(Unwrapper)
		if !ok {
			break
		}
		st = u.Unwrap()
	}
	var zero T
	return zero, false
}

// PutAll writes items in bulk when the store can, else one by one.
func PutAll(ctx context.Context, st Store, items []Item) error {
	if bw, ok := As[BulkWriter](st); ok {
		return bw.PutMany(ctx, items)
	}
	for _, it := range items {
		if err := st.Put(ctx, it.Key, it.Value, it.TTL); err != nil {
			return err
		}
	}
	return nil
}

// GetAll reads keys in bulk when the store can, else one by one. Missing
// keys are left out of the result.
func GetAll(ctx context.Context, st Store, keys []string) (map[string][]byte, error) {
	if br, ok := As[BulkReader](st); ok {
		return br.GetMany(ctx, keys)
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, err := st.Get(ctx, k)
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
		if err == nil {
			out[k] = v
		}
	}
	return out, nil
}
