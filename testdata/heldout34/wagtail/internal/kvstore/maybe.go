package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Maybe holds a value that may be absent.
type Maybe[T any] struct {
	val T
	ok  bool
}

// Some wraps a present value.
func Some[T any](v T) Maybe[T] { return Maybe[T]{val: v, ok: true} }

// None is the absent value.
func None[T any]() Maybe[T] { return Maybe[T]{} }

// Get returns the value and whether it is present.
func (m Maybe[T]) Get() (T, bool) { return m.val, m.ok }

// OrElse returns the value, or d when absent.
func (m Maybe[T]) OrElse(d T) T {
	if m.ok {
		return m.val
	}
	return d
}

// Result is a value or the error that prevented it.
type Result[T any] struct {
	Val T
	Err error
}

// Unwrap splits a Result into its value and error.
func (r Result[T]) Unwrap() (T, error) { return r.Val, r.Err }

// Lookup reads and decodes the JSON record at key. A missing key is None;
// any other failure is returned as an error.
func Lookup[T any](ctx context.Context, ns, key string) (Maybe[T], error) {
	raw, err := GetBytes(ctx, ns, key)
	if errors.Is(err, ErrMiss) {
		return None[T](), nil
	}
	if err != nil {
		return None[T](), err
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return None[T](), fmt.Errorf("kv: decode %s: %w", key, err)
	}
	return Some(v), nil
}

// Fetch is Lookup for callers that collect results, e.g. from goroutines.
// A missing key is an error wrapping ErrMiss.
func Fetch[T any](ctx context.Context, ns, key string) Result[T] {
	m, err := Lookup[T](ctx, ns, key)
	if err != nil {
		return Result[T]{Err: err}
	}
	v, ok := m.Get()
	if !ok {
		return Result[T]{Err: &MissError{Namespace: ns, Key: key}}
	}
	return Result[T]{Val: v}
}
