// Package result holds the small generic return types used by the stores.
package result

// Option is a value that may be absent. The zero value is None.
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

// IsSome reports whether a value is present.
func (o Option[T]) IsSome() bool { return o.ok }

// OrElse returns the value, or def when absent.
func (o Option[T]) OrElse(def T) T {
	if o.ok {
		return o.val
	}
	return def
}

// Result is a value or an error, used where a batch reports per-item outcomes.
type Result[T any] struct {
	Val T
	Err error
}

// Ok wraps a successful value.
func Ok[T any](v T) Result[T] { return Result[T]{Val: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap returns the value and error.
func (r Result[T]) Unwrap() (T, error) { return r.Val, r.Err }

// Errs collects the errors of a batch of results.
func Errs[T any](rs []Result[T]) []error {
	var out []error
	for _, r := range rs {
		if r.Err != nil {
			out = append(out, r.Err)
		}
	}
	return out
}
