// Package result holds the small generic return types used by the stores.
package result

import "errors"

// Option is a value that may be absent, such as a KV key that was never
// written or has expired.
type Option[T any] struct {
	val T
	ok  bool
}

// Some wraps a present value.
func Some[T any](v T) Option[T] { return Option[T]{val: v, ok: true} }

// None is the absent value.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether it is present.
func (o Option[T]) Get() (T, bool) { return o.val, o.ok }

// IsSome reports whether the value is present.
func (o Option[T]) IsSome() bool { return o.ok }

// OrElse returns the value, or def when it is absent.
func (o Option[T]) OrElse(def T) T {
	if o.ok {
		return o.val
	}
	return def
}

// Result carries a value or the error that prevented computing it.
type Result[T any] struct {
	val T
	err error
}

// Ok wraps a successful value.
func Ok[T any](v T) Result[T] { return Result[T]{val: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{err: err} }

// Unwrap returns the value and the error.
func (r Result[T]) Unwrap() (T, error) { return r.val, r.err }

// Err returns the error, if any.
func (r Result[T]) Err() error { return r.err }

// Batch collects the per-item errors of a batch operation.
type Batch struct {
	errs []error
	n    int
}

// Add records the outcome of one item.
func (b *Batch) Add(err error) {
	b.n++
	if err != nil {
		b.errs = append(b.errs, err)
	}
}

// Failed returns how many items failed.
func (b *Batch) Failed() int { return len(b.errs) }

// Total returns how many items were recorded.
func (b *Batch) Total() int { return b.n }

// Err joins every recorded error, or returns nil.
func (b *Batch) Err() error { return errors.Join(b.errs...) }
