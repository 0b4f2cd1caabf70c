// Package store is relay's storage port: a small key/value interface the
// domain packages depend on. The production adapter is store/cfkv; tests use
// store/memstore.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("store: key not found")

// OpError wraps a backend failure with the operation and key it concerns.
type OpError struct {
	Op, Key string
	Status  int // HTTP status from the backend, 0 if none
	Err     error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("store %s %q: status %d: %v", e.Op, e.Key, e.Status, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is an *OpError worth retrying.
func IsTemporary(err error) bool {
	var oe *OpError
	return errors.As(err, &oe) && (oe.Status == 429 || oe.Status >= 500)
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name     string
	Metadata map[string]any
}

// Page is one page of a listing; Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Store is the port every domain package writes through.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// PutOptions are the resolved options of one Put.
type PutOptions struct {
	TTL      time.Duration
	Metadata map[string]any
}

// PutOption changes PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the key d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithMetadata attaches list-visible metadata to the key.
func WithMetadata(m map[string]any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// Resolve applies opts on top of defaults.
func Resolve(defaults PutOptions, opts ...PutOption) PutOptions {
	o := defaults
	for _, fn := range opts {
		fn(&o)
	}
	return o
}
