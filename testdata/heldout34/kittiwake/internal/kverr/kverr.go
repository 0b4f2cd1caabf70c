// Package kverr holds the error and result types shared by kittiwake's KV
// adapters.
package kverr

import (
	"errors"
	"fmt"
)

// ErrMiss reports that a key does not exist (or has expired).
var ErrMiss = errors.New("kv: key not found")

// MissError carries the key that was not found.
type MissError struct {
	Namespace string
	Key       string
}

func (e *MissError) Error() string {
	if e.Namespace == "" {
		return fmt.Sprintf("kv: %q not found", e.Key)
	}
	return fmt.Sprintf("kv: %q not found in %s", e.Key, e.Namespace)
}

// Is makes errors.Is(err, ErrMiss) true for a MissError.
func (e *MissError) Is(target error) bool { return target == ErrMiss }

// IsMiss reports whether err, or an error it wraps, is a miss.
func IsMiss(err error) bool { return errors.Is(err, ErrMiss) }

// Maybe is an optional value.
type Maybe[T any] struct {
	v  T
	ok bool
}

// Some wraps a present value.
func Some[T any](v T) Maybe[T] { return Maybe[T]{v: v, ok: true} }

// None is the absent value.
func None[T any]() Maybe[T] { return Maybe[T]{} }

// Get returns the value and whether it is present.
func (m Maybe[T]) Get() (T, bool) { return m.v, m.ok }

// IsSome reports whether a value is present.
func (m Maybe[T]) IsSome() bool { return m.ok }

// Result is a value or an error.
type Result[T any] struct {
	Val T
	Err error
}

// Missing reports whether the result failed because the key was absent.
func (r Result[T]) Missing() bool { return IsMiss(r.Err) }

// Maybe converts a result into an optional value, keeping real errors.
func (r Result[T]) Maybe() (Maybe[T], error) {
	switch {
	case r.Err == nil:
		return Some(r.Val), nil
	case r.Missing():
		return None[T](), nil
	default:
		return None[T](), r.Err
	}
}
