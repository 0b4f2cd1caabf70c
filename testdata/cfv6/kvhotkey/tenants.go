package kvhotkey

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type tenantKey struct{}

// A store that picks each tenant's namespace from the request's context.
type tenantStore struct {
	client   *cloudflare.Client
	account  string
	byTenant map[string]string
	fallback string
}

func (s *tenantStore) namespace(ctx context.Context) string {
	if t, ok := ctx.Value(tenantKey{}).(string); ok {
		if id, ok := s.byTenant[t]; ok {
			return id
		}
	}
	return s.fallback
}

func (s *tenantStore) Put(ctx context.Context, key, value string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace(ctx), key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// A checkpoint rewritten for each show, in one tenant's namespace.
func rollup(ctx context.Context, s *tenantStore, shows []string) error { // want rollup:"kvhotkey"
	for _, id := range shows {
		if err := s.Put(ctx, "rollup:checkpoint", id); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: each iteration writes in its own tenant's namespace.
func rollupTenants(ctx context.Context, s *tenantStore, tenants []string) error {
	for _, t := range tenants {
		tctx := context.WithValue(ctx, tenantKey{}, t)
		if err := s.Put(tctx, "rollup:checkpoint", t); err != nil {
			return err
		}
	}
	return nil
}

func (s *tenantStore) PutIn(ctx context.Context, tenant, key, value string) error {
	ns, ok := s.byTenant[tenant]
	if !ok {
		ns = s.fallback
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// Quiet: the tenant each call is given picks the namespace, though the
// value is computed from it too.
func statsPerTenant(ctx context.Context, s *tenantStore, tenants []string) error {
	for _, t := range tenants {
		if err := s.PutIn(ctx, t, "stats:count", "tenant="+t); err != nil {
			return err
		}
	}
	return nil
}
