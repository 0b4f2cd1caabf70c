// Package storage is the persistence port of the marketplace services.
//
// Services depend on Store only. The edge binds it to Workers KV through
// the syumai binding, the backend to the same namespaces through the
// Cloudflare REST API, and tests to the in-memory store.
package storage

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrNotFound is matched by every miss, whatever the adapter.
var ErrNotFound = errors.New("storage: not found")

// NotFoundError reports a miss on a specific key.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string {
	return "storage: key " + strconv.Quote(e.Key) + " not found"
}

// Is makes errors.Is(err, ErrNotFound) true for wrapped NotFoundErrors.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// IsNotFound reports whether err is a miss.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf) || errors.Is(err, ErrNotFound)
}

// WriteOptions control expiry of a written value. The zero value means the
// adapter's defaults.
type WriteOptions struct {
	// TTL expires the value relative to the time of the write.
	TTL time.Duration
	// ExpiresAt expires the value at an absolute time.
	ExpiresAt time.Time
}

// ListQuery selects one page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of keys. Keys come without values.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Store is the key-value port.
type Store interface {
	// Get returns the value or an error matching ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, o WriteOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}
