package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Options made anew for each page, with the prefix on the first page's
// branch only.
func (s *store) staleLocks(ctx context.Context, pages int) ([]string, error) { // want staleLocks:"kvlist"
	var out []string
	cursor := ""
	for range pages {
		p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)}
		if cursor == "" {
			p.Prefix = cloudflare.F("lock:job:")
		} else {
			p.Cursor = cloudflare.F(cursor)
		}
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, p) // want `leaves out the Prefix the listing started with`
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			out = append(out, k.Name)
		}
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return out, nil
}

// Quiet: the prefix on every page, the cursor on the later ones.
func (s *store) locks(ctx context.Context, pages int) ([]string, error) {
	var out []string
	cursor := ""
	for range pages {
		p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("lock:job:")}
		if cursor != "" {
			p.Cursor = cloudflare.F(cursor)
		}
		res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, p)
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			out = append(out, k.Name)
		}
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return out, nil
}
