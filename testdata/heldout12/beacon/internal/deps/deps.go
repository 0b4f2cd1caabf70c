// Package deps is a small service registry. Long-lived components register
// under a name at start-up; commands and jobs look them up by name.
package deps

import (
	"fmt"
	"sync"
)

// Registry maps names to components.
type Registry struct {
	mu    sync.RWMutex
	items map[string]any
}

func New() *Registry { return &Registry{items: map[string]any{}} }

// Register stores v under name, replacing any earlier value.
func (r *Registry) Register(name string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[name] = v
}

// Lookup returns the component registered under name, or nil.
func (r *Registry) Lookup(name string) any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.items[name]
}

// Must is Lookup for start-up code: it panics when name is missing.
func (r *Registry) Must(name string) any {
	if v := r.Lookup(name); v != nil {
		return v
	}
	panic(fmt.Sprintf("deps: %q not registered", name))
}
