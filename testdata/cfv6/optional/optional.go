// Package optional holds the pointer helpers a team writes for optional
// settings, and a generic conversion to seconds. It does not use KV.
package optional

import "time"

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }

// Deref returns what p points to, or def when p is nil.
func Deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// Lifetime is any integer count of nanoseconds, time.Duration among them.
type Lifetime interface{ ~int64 }

// Seconds converts a lifetime to whole seconds.
func Seconds[D Lifetime](d D) int { return int(time.Duration(d) / time.Second) }
