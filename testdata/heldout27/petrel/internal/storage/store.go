// Package storage defines the key-value port that every feature package
// depends on, together with the error values adapters translate into.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store is the narrow key-value port. Adapters exist for both Cloudflare
// SDK generations and as in-memory fakes in tests.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, q ListQuery) (Page, error)
}

// PutOptions controls expiry and metadata of a single write. A zero value
// writes a key that never expires.
type PutOptions struct {
	// TTL is relative to the time of the write.
	TTL time.Duration
	// Expiration is an absolute Unix timestamp in seconds.
	Expiration int64
	// Metadata is stored next to the value and returned by List.
	Metadata any
}

// IsZero reports whether the options ask for nothing beyond a plain write.
func (o PutOptions) IsZero() bool {
	return o.TTL == 0 && o.Expiration == 0 && o.Metadata == nil
}

type ListQuery struct {
	Prefix string
	Cursor string
	// Limit is the page size; zero leaves the choice to the adapter.
	Limit int
}

// Page is one page of a key listing. Keys carry no values.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   any
}

// ErrNotFound is returned, possibly wrapped, when a key does not exist.
var ErrNotFound = errors.New("storage: not found")

// NotFoundError carries the missing key. It matches ErrNotFound with
// errors.Is so callers may use either form.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("storage: key %q not found", e.Key)
}

// Is makes errors.Is(err, ErrNotFound) true for *NotFoundError.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
