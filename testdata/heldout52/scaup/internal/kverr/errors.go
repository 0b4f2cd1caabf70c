// Package kverr holds the typed errors shared by the KV adapters.
package kverr

import (
	"errors"
	"fmt"
)

// NotFoundError reports a key that does not exist (or has expired).
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("kv: key %q not found", e.Key) }

// ConflictError reports a key that is already taken.
type ConflictError struct {
	Key    string
	Holder string
}

func (e *ConflictError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("kv: key %q already exists", e.Key)
	}
	return fmt.Sprintf("kv: key %q is held by %s", e.Key, e.Holder)
}

// IsNotFound reports whether err wraps a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// IsConflict reports whether err wraps a *ConflictError.
func IsConflict(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce)
}
