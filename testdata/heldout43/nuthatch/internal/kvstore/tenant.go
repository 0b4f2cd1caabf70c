//go:build !js

package kvstore

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cloudflare/cloudflare-go/v5"

	"github.com/cityparking/nuthatch/internal/domain"
)

// Tenant is one city: its own namespace and settings.
type Tenant struct {
	City string
	KV   *Store
}

// Registry resolves the namespace of a city at call time.
type Registry struct {
	mu      sync.RWMutex
	tenants map[string]*Tenant
}

// ParseNamespaces reads "portland=0f2a...,eugene=9b1c..." into a map.
func ParseNamespaces(spec string) (map[string]string, error) {
	out := make(map[string]string)
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		city, id, ok := strings.Cut(part, "=")
		if !ok || city == "" || id == "" {
			return nil, fmt.Errorf("kv namespaces: bad entry %q", part)
		}
		out[strings.ToLower(city)] = id
	}
	return out, nil
}

// NewRegistry builds one Store per city.
func NewRegistry(client *cloudflare.Client, accountID string, namespaces map[string]string) *Registry {
	r := &Registry{tenants: make(map[string]*Tenant, len(namespaces))}
	for city, id := range namespaces {
		r.tenants[city] = &Tenant{City: city, KV: New(client, accountID, id)}
	}
	return r
}

// For returns the tenant of city.
func (r *Registry) For(city string) (*Tenant, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.tenants[strings.ToLower(city)]
	if !ok {
		return nil, fmt.Errorf("%w: %q", domain.ErrUnknownTenant, city)
	}
	return t, nil
}

// All returns every tenant, sorted by city.
func (r *Registry) All() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Tenant, 0, len(r.tenants))
	for _, t := range r.tenants {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].City < out[j].City })
	return out
}
