// Package result holds the small generic return types used by the stores.
package result

import "errors"

// Option is a value that may be absent. A KV miss is reported as None.
type Option[T any] struct {
	v  T
	ok bool
}

// Some wraps a present value.
func Some[T any](v T) Option[T] { return Option[T]{v: v, ok: true} }

// None is the absent value.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether it was present.
func (o Option[T]) Get() (T, bool) { return o.v, o.ok }

// IsSome reports whether a value is present.
func (o Option[T]) IsSome() bool { return o.ok }

// Or returns the value, or def when absent.
func (o Option[T]) Or(def T) T {
	if o.ok {
		return o.v
	}
	return def
}

// Result carries a value or an error, for batch APIs where each item
// succeeds or fails on its own.
type Result[T any] struct {
	Val T
	Err error
}

// Ok builds a successful result.
func Ok[T any](v T) Result[T] { return Result[T]{Val: v} }

// Fail builds a failed result.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap returns the value and the error.
func (r Result[T]) Unwrap() (T, error) { return r.Val, r.Err }

// Collect splits a batch into its values and one joined error.
func Collect[T any](rs []Result[T]) ([]T, error) {
	vals := make([]T, 0, len(rs))
	var errs []error
	for _, r := range rs {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		vals = append(vals, r.Val)
	}
	return vals, errors.Join(errs...)
}
