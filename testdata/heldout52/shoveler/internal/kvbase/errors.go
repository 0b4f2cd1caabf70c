package kvbase

import (
	"errors"
	"fmt"
	"strings"
)

// NotFoundError reports a key that does not exist (or has expired).
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return "kv: key not found: " + e.Key }

// ConflictError reports an attempt to create something that already exists.
type ConflictError struct {
	Key   string
	Owner string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("kv: %s already taken by %s", e.Key, e.Owner)
}

// ThrottledError wraps a 429 from KV.
type ThrottledError struct {
	Op  string
	Err error
}

func (e *ThrottledError) Error() string { return "kv: throttled on " + e.Op + ": " + e.Err.Error() }
func (e *ThrottledError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is or wraps a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// Classify maps a raw SDK error onto the typed errors above.
func Classify(op, key string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "429"):
		return &ThrottledError{Op: op, Err: err}
	case strings.Contains(msg, "404"):
		return &NotFoundError{Key: key}
	}
	return fmt.Errorf("kv %s %q: %w", op, key, err)
}

// Collect joins the non-nil errors of a fan-out, preserving their types for
// errors.As.
func Collect(errs ...error) error {
	return errors.Join(errs...)
}
