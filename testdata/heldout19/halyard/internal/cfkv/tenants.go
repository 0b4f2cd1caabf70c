package cfkv

import (
	"fmt"
	"sync"

	"github.com/cloudflare/cloudflare-go/v4"
)

// Tenants hands out one Client per tenant namespace. Tenants without their
// own namespace share the fallback.
type Tenants struct {
	api       *cloudflare.Client
	accountID string
	fallback  string

	mu      sync.Mutex
	spaces  map[string]string
	clients map[string]*Client
}

// NewTenants builds a router from a tenant -> namespace map.
func NewTenants(api *cloudflare.Client, accountID, fallback string, spaces map[string]string) *Tenants {
	cp := make(map[string]string, len(spaces))
	for k, v := range spaces {
		cp[k] = v
	}
	return &Tenants{api: api, accountID: accountID, fallback: fallback, spaces: cp, clients: map[string]*Client{}}
}

// For returns the client for tenant.
func (t *Tenants) For(tenant string) (*Client, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.clients[tenant]; ok {
		return c, nil
	}
	ns, ok := t.spaces[tenant]
	if !ok {
		ns = t.fallback
	}
	if ns == "" {
		return nil, fmt.Errorf("cfkv: no namespace for tenant %q", tenant)
	}
	c := New(t.api, t.accountID, ns)
	t.clients[tenant] = c
	return c, nil
}
