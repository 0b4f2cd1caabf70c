// Package opt holds the small generic helpers the team uses for optional
// settings expressed as pointer fields.
package opt

import "time"

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or def when p is nil.
func Deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Lifetime is any duration-like type measured in nanoseconds.
type Lifetime interface{ ~int64 }

// Seconds converts a lifetime to whole seconds, as KV expects.
func Seconds[D Lifetime](d D) int {
	return int(time.Duration(d) / time.Second)
}

// Bytes is any integer type used for sizes.
type Bytes interface{ ~int | ~int64 }

// KiB returns n KiB.
func KiB[N Bytes](n N) N { return n << 10 }

// Set is a set of comparable values.
type Set[T comparable] = map[T]struct{}

// SetOf builds a Set from values.
func SetOf[T comparable](vs ...T) Set[T] {
	s := make(Set[T], len(vs))
	for _, v := range vs {
		s[v] = struct{}{}
	}
	return s
}
