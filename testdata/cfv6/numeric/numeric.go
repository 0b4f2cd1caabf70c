// Package numeric holds generic helpers over plain numbers, in a package
// of its own so that kvttl sees only their signatures.
package numeric

import (
	"math"
	"time"
)

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

// Clamp bounds v to [lo, hi].
func Clamp[T Number](v, lo, hi T) T {
	return min(max(v, lo), hi)
}

// Between bounds d to [lo, hi].
func Between(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}
