package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// iter hands back the SDK's auto-pager as an interface of its own: the
// caller pages.
func (s *store) iter(ctx context.Context, prefix string) interface {
	Next() bool
	Current() kv.Key
	Err() error
} {
	return s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	})
}

// Drained to the end.
func (s *store) exports(ctx context.Context) ([]string, error) { // want exports:"kvlist"
	var names []string
	it := s.iter(ctx, "exports:") // want `unbounded listing`
	for it.Next() {
		names = append(names, it.Current().Name)
	}
	return names, it.Err()
}

// Quiet: stopped after a budget of keys.
func (s *store) someExports(ctx context.Context, budget int) ([]string, error) {
	var names []string
	it := s.iter(ctx, "exports:")
	for it.Next() && len(names) < budget {
		names = append(names, it.Current().Name)
	}
	return names, it.Err()
}
