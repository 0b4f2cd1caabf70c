package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// The metadata of each listed key read one by one: the listing already
// carries it.
func (s *store) owners(ctx context.Context, prefix string) (map[string]any, error) { // want owners:"kvlist"
	out := make(map[string]any)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F(prefix)}
	for range 10 {
		page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			meta, err := s.client.KV.Namespaces.Metadata.Get(ctx, s.ns, k.Name, kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(s.account)}) // want `one get per listed key \(N\+1\)`
			if err != nil {
				return out, err
			}
			out[k.Name] = *meta
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// Quiet: the metadata the listing returned.
func (s *store) ownersListed(ctx context.Context, prefix string) (map[string]any, error) {
	out := make(map[string]any)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F(prefix)}
	for range 10 {
		page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
		if err != nil {
			return out, err
		}
		for _, k := range page.Result {
			out[k.Name] = k.Metadata
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}
