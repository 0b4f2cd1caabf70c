// Package iterx holds small combinators for the fallible iterators the KV
// adapters return (iter.Seq2[V, error]). An error is always the last element
// a sequence yields.
package iterx

import "iter"

// Filter yields the values of seq for which keep reports true.
func Filter[V any](seq iter.Seq2[V, error], keep func(V) bool) iter.Seq2[V, error] {
	return func(yield func(V, error) bool) {
		for v, err := range seq {
			if err != nil {
				yield(v, err)
				return
			}
			if keep(v) && !yield(v, nil) {
				return
			}
		}
	}
}

// Take yields at most n values of seq, then stops pulling from it.
func Take[V any](seq iter.Seq2[V, error], n int) iter.Seq2[V, error] {
	return func(yield func(V, error) bool) {
		if n <= 0 {
			return
		}
		seen := 0
		for v, err := range seq {
			if err != nil {
				yield(v, err)
				return
			}
			if !yield(v, nil) {
				return
			}
			seen++
			if seen == n {
				return
			}
		}
	}
}

// Map yields f applied to every value of seq.
func Map[V, W any](seq iter.Seq2[V, error], f func(V) W) iter.Seq2[W, error] {
	return func(yield func(W, error) bool) {
		for v, err := range seq {
			if err != nil {
				var zero W
				yield(zero, err)
				return
			}
			if !yield(f(v), nil) {
				return
			}
		}
	}
}

// Chunk groups the values of seq into slices of up to size elements. The
// final chunk may be shorter. Each chunk is a fresh slice.
func Chunk[V any](seq iter.Seq2[V, error], size int) iter.Seq2[[]V, error] {
	return func(yield func([]V, error) bool) {
		buf := make([]V, 0, size)
		for v, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			buf = append(buf, v)
			if len(buf) == size {
				if !yield(buf, nil) {
					return
				}
				buf = make([]V, 0, size)
			}
		}
		if len(buf) > 0 {
			yield(buf, nil)
		}
	}
}
