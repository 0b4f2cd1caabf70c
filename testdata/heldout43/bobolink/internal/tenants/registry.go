// Package tenants maps customer accounts to their KV namespaces on the
// backend side.
package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
)

// ErrUnknown is returned for tenant IDs without a namespace.
var ErrUnknown = errors.New("tenants: unknown tenant")

// ErrTaken is returned when a subdomain already belongs to someone.
var ErrTaken = errors.New("tenants: subdomain taken")

// Registry resolves tenant IDs to namespaces at call time. Namespaces can be
// added while the daemon runs (see Register), so lookups go through the map
// every time.
type Registry struct {
	api     *cloudflare.Client
	account string
	clock   clock.Clock

	mu  sync.RWMutex
	nss map[string]*cfkv.Namespace

	// System holds cross-tenant data: claims, revocations, scheduler state.
	System *cfkv.Namespace
}

// Parse builds a registry from "tenant=namespaceID,..." and a system namespace.
func Parse(api *cloudflare.Client, account, table, systemNS string, c clock.Clock) *Registry {
	r := &Registry{api: api, account: account, clock: c, nss: map[string]*cfkv.Namespace{}}
	for _, pair := range strings.Split(table, ",") {
		id, ns, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		r.nss[id] = cfkv.New(api, account, ns)
	}
	r.System = cfkv.New(api, account, systemNS)
	return r
}

// Namespace returns the namespace that holds tenant's data.
func (r *Registry) Namespace(tenant string) (*cfkv.Namespace, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ns, ok := r.nss[tenant]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknown, tenant)
	}
	return ns, nil
}

// IDs returns every known tenant ID.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.nss))
	for id := range r.nss {
		ids = append(ids, id)
	}
	return ids
}

// ClaimSubdomain reserves a custom tracking host (links.customer.com) for a
// tenant.
func (r *Registry) ClaimSubdomain(ctx context.Context, tenant, host string) error {
	key := kvkeys.ClaimKey(host).Key()
	owner, err := r.System.Get(ctx, key)
	switch {
	case err == nil:
		if string(owner) == tenant {
			return nil
		}
		return ErrTaken
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	return r.System.Put(ctx, key, []byte(tenant), cfkv.PutOptions{}) // EXPECT kvrace
}

// IsEmpty reports whether a tenant has no campaigns yet; the dashboard uses it
// to show the onboarding checklist.
func (r *Registry) IsEmpty(ctx context.Context, tenant string) (bool, error) {
	ns, err := r.Namespace(tenant)
	if err != nil {
		return false, err
	}
	keys, _, err := ns.ListPage(ctx, kvkeys.CampaignPrefix(tenant), "", 1) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(keys) == 0, nil
}

// RevokeAPIToken blocks a tenant's API token everywhere the edge checks it.
func (r *Registry) RevokeAPIToken(ctx context.Context, tokenID string) error {
	at := r.clock.Now().UTC().Format(time.RFC3339)
	return r.System.Put(ctx, kvkeys.RevokedKey(tokenID).Key(), []byte(at), cfkv.PutOptions{TTL: 90 * 24 * time.Hour}) // EXPECT kvsession
}
