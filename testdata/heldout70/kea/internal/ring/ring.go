// Package ring holds a small fixed-capacity ring buffer used for recent
// samples (driver trails, applied surge updates).
package ring

import "sync"

// Ring keeps the last cap(items) values pushed into it.
type Ring[T any] struct {
	mu    sync.Mutex
	items []T
	next  int
	full  bool
}

// New returns a ring holding at most n values.
func New[T any](n int) *Ring[T] {
	if n < 1 {
		n = 1
	}
	return &Ring[T]{items: make([]T, n)}
}

// Push appends v, evicting the oldest value when the ring is full.
func (r *Ring[T]) Push(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[r.next] = v
	r.next = (r.next + 1) % len(r.items)
	if r.next == 0 {
		r.full = true
	}
}

// Len is the number of values held.
func (r *Ring[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.full {
		return len(r.items)
	}
	return r.next
}

// Snapshot returns the held values, oldest first.
func (r *Ring[T]) Snapshot() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]T(nil), r.items[:r.next]...)
	}
	out := make([]T, 0, len(r.items))
	out = append(out, r.items[r.next:]...)
	return append(out, r.items[:r.next]...)
}

// Drain returns the held values and empties the ring.
func (r *Ring[T]) Drain() []T {
	s := r.Snapshot()
	r.mu.Lock()
	clear(r.items)
	r.next, r.full = 0, false
	r.mu.Unlock()
	return s
}

// Set is a tiny generic set.
type Set[K comparable] map[K]struct{}

// Add inserts k and reports whether it was new.
func (s Set[K]) Add(k K) bool {
	if _, ok := s[k]; ok {
		return false
	}
	s[k] = struct{}{}
	return true
}
