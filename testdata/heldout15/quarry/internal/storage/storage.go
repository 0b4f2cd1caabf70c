// Package storage is the key-value port the domain packages depend on. The
// production adapter lives in internal/kvstore; tests use memstore.
package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrNotFound is matched (errors.Is) by every *NotFoundError.
	ErrNotFound = errors.New("storage: not found")
	// ErrBudget is reported by iterators that stopped at their page budget
	// while more keys remained.
	ErrBudget = errors.New("storage: page budget exhausted")
)

// NotFoundError is returned by Get for a key that holds no value.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("storage: key %q not found", e.Key) }

func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// BackendError wraps a failure reported by the underlying store.
type BackendError struct {
	Op  string
	Key string
	Err error
}

func (e *BackendError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("storage: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("storage: %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *BackendError) Unwrap() error { return e.Err }

// PutOptions controls expiry. TTL is relative to now; ExpireAt is absolute.
// Zero values mean "never expires".
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// Page is one page of a key listing. Cursor is empty when Complete is true.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Store is the key-value port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// IsNotFound is errors.Is(err, ErrNotFound), kept for call sites that read
// better with a predicate.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
