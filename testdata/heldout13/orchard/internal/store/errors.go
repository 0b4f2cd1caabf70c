package store

import (
	"errors"
	"fmt"
)

// ErrNotFound matches every miss reported by an adapter.
var ErrNotFound = errors.New("store: key not found")

// ErrTruncated is returned by a Scanner that stopped at its page budget.
var ErrTruncated = errors.New("store: listing truncated at page budget")

// NotFoundError is the miss reported for one key.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("store: %q not found", e.Key) }

// Is makes errors.Is(err, ErrNotFound) true for every NotFoundError.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// OpError wraps an adapter failure with the operation and key.
type OpError struct {
	Op  string
	Key string
	Err error
}

func (e *OpError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("store %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("store %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is a miss.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
