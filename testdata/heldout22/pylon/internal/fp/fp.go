// Package fp holds small generic helpers: Option, Result, Map/Filter/Reduce.
package fp

import "fmt"

// Option is a value that may be absent.
type Option[T any] struct {
	value T
	ok    bool
}

// Some wraps a present value.
func Some[T any](v T) Option[T] { return Option[T]{value: v, ok: true} }

// None is the absent value of T.
func None[T any]() Option[T] { return Option[T]{} }

// Get returns the value and whether it was present.
func (o Option[T]) Get() (T, bool) { return o.value, o.ok }

// Result carries either a value or an error, mostly across channels.
type Result[T any] struct {
	Value T
	Err   error
}

// Unwrap returns the pair in the usual Go shape.
func (r Result[T]) Unwrap() (T, error) { return r.Value, r.Err }

// Map applies fn to every element.
func Map[T, U any](in []T, fn func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, fn(v))
	}
	return out
}

// Filter keeps the elements for which keep returns true.
func Filter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// Reduce folds the slice from the left.
func Reduce[T, A any](in []T, acc A, fn func(A, T) A) A {
	for _, v := range in {
		acc = fn(acc, v)
	}
	return acc
}

// Must panics on error; for wiring code and tests only.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fp.Must: %v", err))
	}
	return v
}

// Partition splits results into values and errors.
func Partition[T any](rs []Result[T]) ([]T, []error) {
	var vals []T
	var errs []error
	for _, r := range rs {
		if r.Err != nil {
			errs = append(errs, r.Err)
			continue
		}
		vals = append(vals, r.Value)
	}
	return vals, errs
}

// Batches splits in into consecutive groups of at most size elements.
func Batches[T any](in []T, size int) [][]T {
	if size <= 0 {
		size = 1
	}
	var out [][]T
	for start := 0; start < len(in); start += size {
		end := start + size
		if end > len(in) {
			end = len(in)
		}
		out = append(out, in[start:end])
	}
	return out
}
