// Package deps is a small service registry filled at startup and read by
// handlers and jobs that are constructed later.
package deps

import (
	"fmt"
	"sync"
)

// Well-known names.
const (
	Config   = "config"
	Logger   = "logger"
	Ledger   = "kv.ledger"
	Sessions = "kv.sessions"
	Cache    = "kv.cache"
	Audit    = "audit"
	Points   = "svc.points"
	Cards    = "svc.cards"
	Shops    = "svc.shops"
	Staff    = "svc.sessions"
	Trail    = "svc.trail"
	Consumer = "svc.consumer"
)

// Registry maps names to services.
type Registry struct {
	mu       sync.RWMutex
	services map[string]any
}

// New returns an empty registry.
func New() *Registry { return &Registry{services: map[string]any{}} }

// Provide registers svc under name, replacing any previous entry.
func (r *Registry) Provide(name string, svc any) {
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

// MustLookup is Lookup that panics on a missing name; use during wiring.
func (r *Registry) MustLookup(name string) any {
	svc := r.Lookup(name)
	if svc == nil {
		panic(fmt.Sprintf("deps: %q not registered", name))
	}
	return svc
}
