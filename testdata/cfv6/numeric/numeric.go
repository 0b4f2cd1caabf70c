// Package numeric holds generic helpers over plain numbers, in a package
// of its own so that kvttl sees only their signatures.
package numeric

import "math"

// Seconds rounds a count of seconds up to a whole number.
func Seconds[T ~int | ~int64 | ~float64](v T) int {
	return int(math.Ceil(float64(v)))
}

// Number is a constraint named apart from its use.
type Number interface {
	~int | ~int32 | ~int64 | ~float64
}

// AtLeast returns v, or floor when v is smaller.
func AtLeast[T Number](v, floor T) T {
	return max(v, floor)
}

// WholeSeconds counts whole seconds in a count of nanoseconds.
func WholeSeconds[T ~int64 | ~float64](v T) int {
	return int(float64(v) / 1e9)
}
