// Package tenant resolves the software vendors that resell licences through
// gadwall. Each vendor keeps its licences and entitlements in its own KV
// namespace, chosen per request.
package tenant

import (
	"errors"
	"maps"
	"slices"
	"sync"

	"gadwall/internal/kvstore"
)

// ErrUnknown is returned for a tenant ID that is not configured.
var ErrUnknown = errors.New("tenant: unknown tenant")

// Tenant is one vendor with its own namespace handle.
type Tenant struct {
	ID          string
	NamespaceID string
	KV          kvstore.KV
}

// Registry maps tenant IDs to tenants; namespaces are opened lazily.
type Registry struct {
	mu       sync.Mutex
	byID     map[string]*Tenant
	nsByID   map[string]string
	open     func(namespaceID string) kvstore.KV
	fallback string
}

// NewRegistry builds a registry from tenant → namespace ID pairs. fallback
// is the tenant used for requests that name none.
func NewRegistry(namespaces map[string]string, fallback string, open func(string) kvstore.KV) *Registry {
	return &Registry{byID: map[string]*Tenant{}, nsByID: namespaces, open: open, fallback: fallback}
}

// Lookup returns the tenant with the given ID, or the fallback tenant.
func (r *Registry) Lookup(id string) (*Tenant, error) {
	if id == "" {
		id = r.fallback
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.byID[id]; ok {
		return t, nil
	}
	ns, ok := r.nsByID[id]
	if !ok {
		return nil, ErrUnknown
	}
	t := &Tenant{ID: id, NamespaceID: ns, KV: r.open(ns)}
	r.byID[id] = t
	return t, nil
}

// All returns every configured tenant in ID order.
func (r *Registry) All() []*Tenant {
	var out []*Tenant
	for _, id := range slices.Sorted(maps.Keys(r.nsByID)) {
		if t, err := r.Lookup(id); err == nil {
			out = append(out, t)
		}
	}
	return out
}
