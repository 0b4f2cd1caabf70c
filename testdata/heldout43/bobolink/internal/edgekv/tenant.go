//go:build js && wasm

package edgekv

import (
	"errors"
	"strings"
	"sync"
)

// ErrUnknownTenant is returned for hosts that no tenant has claimed.
var ErrUnknownTenant = errors.New("edgekv: unknown tenant")

// Tenant is a customer account. Each tenant's data lives in its own namespace.
type Tenant struct {
	ID       string
	Host     string
	Plan     string
	KV       *Store
	Sessions *Store
}

// Registry maps tracking hosts (links.example.com) to tenants. Bindings are
// opened lazily, the first time a tenant is seen by this isolate.
type Registry struct {
	mu       sync.Mutex
	byHost   map[string]*Tenant
	bindings map[string]string // host -> binding name
	shared   *Store
}

// NewRegistry builds a registry from a "host=BINDING,host=BINDING" table.
func NewRegistry(table string, sessions *Store) *Registry {
	r := &Registry{byHost: map[string]*Tenant{}, bindings: map[string]string{}, shared: sessions}
	for _, pair := range strings.Split(table, ",") {
		host, binding, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		r.bindings[strings.ToLower(host)] = binding
	}
	return r
}

// Resolve returns the tenant that owns host.
func (r *Registry) Resolve(host string) (*Tenant, error) {
	host = strings.ToLower(host)
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.byHost[host]; ok {
		return t, nil
	}
	binding, ok := r.bindings[host]
	if !ok {
		return nil, ErrUnknownTenant
	}
	st, err := Open(binding)
	if err != nil {
		return nil, err
	}
	t := &Tenant{
		ID:       strings.ToLower(strings.TrimPrefix(binding, "KV_")),
		Host:     host,
		KV:       st,
		Sessions: r.shared,
	}
	r.byHost[host] = t
	return t, nil
}
