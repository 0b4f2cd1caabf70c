// Package opt holds small helpers for optional settings expressed as
// pointer fields, where nil means "use the default".
package opt

import "time"

// Set is a set of comparable values.
type Set[T comparable] = map[T]struct{}

// Lifetime is any duration-like type measured in nanoseconds.
type Lifetime interface{ ~int64 }

// Ptr returns a pointer to a copy of v.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or def when p is nil.
func Deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Seconds converts a lifetime to whole seconds, the unit KV expects.
func Seconds[D Lifetime](d D) int {
	return int(time.Duration(d) / time.Second)
}

// Clamp bounds v to [lo, hi].
func Clamp[N ~int | ~int64](v, lo, hi N) N {
	return min(max(v, lo), hi)
}

// SetOf builds a Set from values.
func SetOf[T comparable](vs ...T) Set[T] {
	s := make(Set[T], len(vs))
	for _, v := range vs {
		s[v] = struct{}{}
	}
	return s
}
