// Package route picks the KV namespace that holds a tenant's data. Large
// networks on the enterprise plan get a namespace of their own; everyone
// else is spread over a fixed pool so that no namespace grows unbounded.
package route

import (
	"fmt"
	"hash/fnv"
	"sync"

	"example.com/garganey/internal/kvstore"
)

// Router maps a tenant (creator network) to a namespace id.
type Router struct {
	dedicated map[string]string
	pool      []string
}

// NewRouter returns a router over pool with the given dedicated overrides.
func NewRouter(pool []string, dedicated map[string]string) *Router {
	if len(pool) == 0 {
		panic("route: empty namespace pool")
	}
	return &Router{dedicated: dedicated, pool: pool}
}

// NamespaceFor returns the namespace id that holds tenant's keys.
func (r *Router) NamespaceFor(tenant string) string {
	if ns, ok := r.dedicated[tenant]; ok {
		return ns
	}
	h := fnv.New32a()
	h.Write([]byte(tenant))
	return r.pool[h.Sum32()%uint32(len(r.pool))]
}

// Stores opens (once) and caches one Store per namespace.
type Stores struct {
	reg    *kvstore.Registry
	scheme string
	router *Router

	mu   sync.Mutex
	open map[string]kvstore.Store
}

// NewStores returns a cache that opens "<scheme>://<namespace>" on demand.
func NewStores(reg *kvstore.Registry, scheme string, router *Router) *Stores {
	return &Stores{reg: reg, scheme: scheme, router: router, open: make(map[string]kvstore.Store)}
}

// ForTenant returns the store holding tenant's keys.
func (s *Stores) ForTenant(tenant string) (kvstore.Store, error) {
	return s.forNamespace(s.router.NamespaceFor(tenant))
}

func (s *Stores) forNamespace(ns string) (kvstore.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.open[ns]; ok {
		return st, nil
	}
	st, err := s.reg.Open(fmt.Sprintf("%s://%s", s.scheme, ns))
	if err != nil {
		return nil, err
	}
	s.open[ns] = st
	return st, nil
}
