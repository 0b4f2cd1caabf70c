// Package storage is the key-value port the domain packages depend on. The
// Cloudflare adapter lives in storage/cfkv, an in-memory fake in
// storage/memkv, and decorators in storage/storemw.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Store is a namespaced key-value store.
type Store interface {
	// Get returns the value for key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	// List returns one page of keys starting at cursor.
	List(ctx context.Context, prefix, cursor string, opts ...ListOption) (Page, error)
}

// BulkWriter is implemented by stores that can write many pairs per call.
type BulkWriter interface {
	PutMany(ctx context.Context, items []Item) error
}

// Item is one pair of a bulk write.
type Item struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// Entry is one listed key. Values are not returned by List.
type Entry struct {
	Name     string
	Metadata any
}

// Page is one page of a listing.
type Page struct {
	Entries  []Entry
	Cursor   string
	Complete bool
}

// Names returns the key names of the page.
func (p Page) Names() []string {
	out := make([]string, len(p.Entries))
	for i, e := range p.Entries {
		out[i] = e.Name
	}
	return out
}

// ErrNotFound reports a key that does not exist (or has expired).
var ErrNotFound = errors.New("storage: key not found")

// OpError describes a failed store operation.
type OpError struct {
	Op, Key string
	Status  int
	Err     error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("storage: %s %q: status %d: %v", e.Op, e.Key, e.Status, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a 429 or 5xx from the store.
func IsRetryable(err error) bool {
	var op *OpError
	return errors.As(err, &op) && (op.Status == http.StatusTooManyRequests || op.Status >= 500)
}

// IsNotFound is errors.Is(err, ErrNotFound).
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
