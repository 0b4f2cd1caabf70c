// Package pick holds the small generic choice helpers used when deriving
// keys, lifetimes and limits from configuration.
package pick

import "cmp"

// If returns a when cond holds and b otherwise.
func If[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// FirstNonZero returns the first value that is not the zero value of T.
func FirstNonZero[T comparable](vs ...T) T {
	var zero T
	for _, v := range vs {
		if v != zero {
			return v
		}
	}
	return zero
}

// Clamp bounds v to [lo, hi].
func Clamp[T cmp.Ordered](v, lo, hi T) T {
	return min(max(v, lo), hi)
}
