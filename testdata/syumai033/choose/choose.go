// Package choose holds small generic helpers that a team keeps apart from
// KV: choices, and a clamp that is a bound, not a choice.
package choose

// If returns a when cond holds and b otherwise.
func If[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

// AtLeast returns d, or floor when d is shorter.
func AtLeast[T ~int | ~int64 | ~float64](d, floor T) T {
	if d < floor {
		return floor
	}
	return d
}
