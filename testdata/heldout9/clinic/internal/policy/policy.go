// Package policy keeps per-kind cache lifetimes. Packages register their
// defaults in init so that the table is complete before main runs.
package policy

import (
	"sync"
	"time"
)

var (
	mu       sync.RWMutex
	registry = map[string]func() time.Duration{}
)

// Register records the lifetime function for a kind of cached object.
func Register(kind string, f func() time.Duration) {
	mu.Lock()
	defer mu.Unlock()
	registry[kind] = f
}

// TTLFor returns a function that yields the current lifetime for kind,
// falling back to an hour for kinds nobody registered.
func TTLFor(kind string) func() time.Duration {
	return func() time.Duration {
		mu.RLock()
		f, ok := registry[kind]
		mu.RUnlock()
		if !ok {
			return time.Hour
		}
		return f()
	}
}
