package storage

import (
	"sort"
	"sync"
)

// Router hands out the namespace of a tenant; each publication has its own.
type Router struct {
	mu       sync.RWMutex
	byTenant map[string]ReadWriter
	fallback ReadWriter
}

// NewRouter builds a Router; open adapts a namespace ID to the port.
func NewRouter(namespaces map[string]string, fallbackNS string, open func(string) ReadWriter) *Router {
	r := &Router{
		byTenant: make(map[string]ReadWriter, len(namespaces)),
		fallback: open(fallbackNS),
	}
	for tenant, ns := range namespaces {
		r.byTenant[tenant] = open(ns)
	}
	return r
}

// For returns the namespace of tenant, or the shared fallback namespace.
func (r *Router) For(tenant string) ReadWriter {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if rw, ok := r.byTenant[tenant]; ok {
		return rw
	}
	return r.fallback
}

// Tenants lists the tenants with a dedicated namespace, sorted.
func (r *Router) Tenants() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.byTenant))
	for t := range r.byTenant {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
