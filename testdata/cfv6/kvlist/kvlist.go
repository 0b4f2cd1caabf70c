// Package kvlist holds kvlist's cases on the generated cloudflare-go/v6.
package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/cfv6/builder"
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
func (s *store) each(ctx context.Context, visit func(name string) bool) error { // want each:"kvlist iterator"
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)})
	for pager.Next() {
		if !visit(pager.Current().Name) {
			return nil
		}
	}
	return pager.Err()
}

// The options for the next pages are built anew, with the cursor and
// without the prefix.
func (s *store) certificates(ctx context.Context, budget int) (int, error) { // want certificates:"kvlist"
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("cert:")}
	n := 0
	for range budget {
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params) // want `leaves out the Prefix the listing started with`
		if err != nil {
			return n, err
		}
		n += len(res.Result)
		if res.ResultInfo.Cursor == "" {
			return n, nil
		}
		params = kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Cursor: cloudflare.F(res.ResultInfo.Cursor)}
	}
	return n, nil
}

// Quiet: the cursor is set on the options that carry the prefix.
func (s *store) certificatesKept(ctx context.Context, budget int) (int, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("cert:")}
	n := 0
	for range budget {
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
		if err != nil {
			return n, err
		}
		n += len(res.Result)
		if res.ResultInfo.Cursor == "" {
			return n, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return n, nil
}

// One page of a helper of another package that clamps its limit, used as
// if it were all.
func occupancy(ctx context.Context, st *builder.Store, site string) int { // want occupancy:"kvlist"
	page, err := st.Page(ctx, "door:"+site+":", "", 1000) // want `only the first page of this list is used`
	if err != nil {
		return 0
	}
	return len(page.Names)
}

// Quiet: a sample of ten.
func sample(ctx context.Context, st *builder.Store, site string) []string {
	page, err := st.Page(ctx, "door:"+site+":", "", 10)
	if err != nil {
		return nil
	}
	return page.Names
}
