// Package kvlist holds kvlist's cases on the generated cloudflare-go/v6.
package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// The auto-pager drained to the end.
func (s *store) allKeys(ctx context.Context) ([]string, error) { // want allKeys:"kvlist"
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)}) // want `unbounded listing`
	var keys []string
	for pager.Next() {
		keys = append(keys, pager.Current().Name)
	}
	return keys, pager.Err()
}

// Quiet: the auto-pager stopped after a budget of keys.
func (s *store) someKeys(ctx context.Context, max int) ([]string, error) {
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)})
	var keys []string
	for pager.Next() {
		keys = append(keys, pager.Current().Name)
		if len(keys) >= max {
			break
		}
	}
	return keys, pager.Err()
}

// Quiet: a stop decided by the caller, through a callback.
func (s *store) each(ctx context.Context, visit func(name string) bool) error {
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)})
	for pager.Next() {
		if !visit(pager.Current().Name) {
			return nil
		}
	}
	return pager.Err()
}
