// Package kvx holds small helpers shared by the Worker and the backend:
// choice helpers, calendar arithmetic and key encoding.
package kvx

import "time"

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

// Seconds renders a duration as the whole number of seconds KV expects.
func Seconds(d time.Duration) int {
	return int(d.Seconds())
}

// AtLeast returns d, or floor when d is shorter.
func AtLeast(d, floor time.Duration) time.Duration {
	if d < floor {
		return floor
	}
	return d
}
