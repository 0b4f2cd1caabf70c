// Package kverr holds the error types the KV adapters use to report misses
// and conflicts, so callers can test them with errors.Is and errors.As.
package kverr

import (
	"errors"
	"fmt"
)

// ErrMiss is matched by every *MissError.
var ErrMiss = errors.New("kv: key not found")

// ErrConflict is matched by every *ConflictError.
var ErrConflict = errors.New("kv: key already taken")

// MissError reports that a key has no value.
type MissError struct {
	Namespace string
	Key       string
}

func (e *MissError) Error() string {
	return fmt.Sprintf("kv: %s: key %q not found", e.Namespace, e.Key)
}

// Is makes errors.Is(err, ErrMiss) true for any MissError.
func (e *MissError) Is(target error) bool { return target == ErrMiss }

// ConflictError reports that a name or lock is already held.
type ConflictError struct {
	Key   string
	Owner string
}

func (e *ConflictError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("kv: %q is already taken", e.Key)
	}
	return fmt.Sprintf("kv: %q is held by %s", e.Key, e.Owner)
}

// Is makes errors.Is(err, ErrConflict) true for any ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// IsMiss reports whether err is, or wraps, a miss.
func IsMiss(err error) bool { return errors.Is(err, ErrMiss) }
