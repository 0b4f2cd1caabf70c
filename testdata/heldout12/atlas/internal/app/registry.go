package app

import (
	"fmt"
	"sync"
)

// Registry is the process-wide service locator: the composition root fills
// it and the HTTP layer and commands look services up by name.
type Registry struct {
	mu       sync.RWMutex
	services map[string]any
}

func NewRegistry() *Registry {
	return &Registry{services: make(map[string]any)}
}

// Register adds or replaces a service.
func (r *Registry) Register(name string, svc any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.services[name] = svc
}

// Lookup returns the service registered under name, or nil.
func (r *Registry) Lookup(name string) any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.services[name]
}

// Must returns the service under name as T, panicking when it is missing or
// of another type. It is meant for wiring at start-up.
func Must[T any](r *Registry, name string) T {
	v, ok := r.Lookup(name).(T)
	if !ok {
		panic(fmt.Sprintf("registry: %q is %T, not the requested type", name, r.Lookup(name)))
	}
	return v
}
