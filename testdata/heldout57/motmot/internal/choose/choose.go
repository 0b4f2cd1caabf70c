// Package choose holds the small generic selection helpers used when a key,
// a lifetime or a limit depends on a flag or on a list of fallbacks.
package choose

// If returns a when cond holds and b otherwise.
func If[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// FirstNonZero returns the first argument that is not the zero value of T.
func FirstNonZero[T comparable](vs ...T) T {
	var zero T
	for _, v := range vs {
		if v != zero {
			return v
		}
	}
	return zero
}

// Between clamps v into [lo, hi].
func Between[T ~int | ~int64 | ~float64](v, lo, hi T) T {
	return min(max(v, lo), hi)
}
