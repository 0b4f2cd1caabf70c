// Package maybe holds the small generic option and result types returned by
// the KV adapters.
package maybe

// Maybe holds a value or nothing.
type Maybe[T any] struct {
	val T
	ok  bool
}

// Some wraps v.
func Some[T any](v T) Maybe[T] { return Maybe[T]{val: v, ok: true} }

// None is the empty Maybe.
func None[T any]() Maybe[T] { return Maybe[T]{} }

// Get returns the value and whether it is present.
func (m Maybe[T]) Get() (T, bool) { return m.val, m.ok }

// IsSome reports whether a value is present.
func (m Maybe[T]) IsSome() bool { return m.ok }

// OrElse returns the value, or d when there is none.
func (m Maybe[T]) OrElse(d T) T {
	if m.ok {
		return m.val
	}
	return d
}

// Result is a value or the error that prevented producing it.
type Result[T any] struct {
	Value T
	Err   error
}

// Ok wraps a successful value.
func Ok[T any](v T) Result[T] { return Result[T]{Value: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap splits the result into Go's usual pair.
func (r Result[T]) Unwrap() (T, error) { return r.Value, r.Err }
