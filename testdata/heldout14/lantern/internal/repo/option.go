package repo

// Option holds a value or nothing.
type Option[T any] struct {
	v  T
	ok bool
}

// Some wraps v.
func Some[T any](v T) Option[T] { return Option[T]{v: v, ok: true} }

// None is the empty Option.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether there was one.
func (o Option[T]) Get() (T, bool) { return o.v, o.ok }

// OrElse returns the value, or def when empty.
func (o Option[T]) OrElse(def T) T {
	if o.ok {
		return o.v
	}
	return def
}

// Result is a value or an error, for code that passes lookups around.
type Result[T any] struct {
	Val T
	Err error
}

// Ok wraps a value.
func Ok[T any](v T) Result[T] { return Result[T]{Val: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap returns the pair.
func (r Result[T]) Unwrap() (T, error) { return r.Val, r.Err }
