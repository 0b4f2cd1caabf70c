// Package units holds the small generic helpers shared by the Worker and the
// backend: pointer helpers for optional settings, second conversions and sets.
package units

import "time"

// Lifetime is any integer type that counts seconds.
type Lifetime interface{ ~int64 }

// Size is any integer type that counts bytes or items.
type Size interface{ ~int | ~int64 }

// Set is a set of comparable values.
type Set[T comparable] = map[T]struct{}

// Strings is a set of strings.
type Strings = Set[string]

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or def when p is nil.
func Deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Seconds converts a count of whole seconds held in any integer type to int.
func Seconds[D ~int | ~int64](d D) int { return int(d) }

// DurationSeconds converts a duration to whole seconds.
func DurationSeconds(d time.Duration) int { return int(d / time.Second) }

// Secs is a number of seconds as it travels on the wire.
type Secs int64

// Duration converts a Lifetime into a time.Duration.
func Duration[L Lifetime](l L) time.Duration { return time.Duration(l) * time.Second }

// Clamp bounds v to [lo, hi].
func Clamp[N Size](v, lo, hi N) N { return min(max(v, lo), hi) }

// Add adds v to s.
func Add[T comparable](s Set[T], v T) { s[v] = struct{}{} }
