package httpx

// Result carries a value or an error, for fan-out code that collects
// outcomes on a channel.
type Result[T any] struct {
	Value T
	Err   error
}

// Ok wraps a value.
func Ok[T any](v T) Result[T] { return Result[T]{Value: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap returns the value and error.
func (r Result[T]) Unwrap() (T, error) { return r.Value, r.Err }

// Option is a value that may be absent.
type Option[T any] struct {
	v  T
	ok bool
}

// Some wraps a present value.
func Some[T any](v T) Option[T] { return Option[T]{v: v, ok: true} }

// None is the absent value.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether it is present.
func (o Option[T]) Get() (T, bool) { return o.v, o.ok }

// OrElse returns the value, or def when absent.
func (o Option[T]) OrElse(def T) T {
	if o.ok {
		return o.v
	}
	return def
}
