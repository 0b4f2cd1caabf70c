package kvstore

import (
	"context"
	"fmt"
	"iter"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// ListOptions select one page of keys. Limit is held by pointer; nil means the
// API default of 1000.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  *int
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// Done reports whether no page follows this one.
func (p Page) Done() bool { return p.Cursor == "" }

// ListPage fetches one page of keys.
func (n *Namespace) ListPage(ctx context.Context, o ListOptions) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
	}
	if o.Prefix != "" {
		params.Prefix = cloudflare.F(o.Prefix)
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	if o.Limit != nil {
		params.Limit = cloudflare.F(float64(*o.Limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv %s: list %q: %w", n.name, o.Prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Scan yields the keys under prefix, at most maxKeys of them, following the
// cursor page by page. It stops early when the consumer stops.
func (n *Namespace) Scan(ctx context.Context, prefix string, maxKeys int) iter.Seq2[kv.Key, error] {
	return func(yield func(kv.Key, error) bool) {
		seen := 0
		cursor := ""
		for seen < maxKeys {
			page, err := n.ListPage(ctx, ListOptions{Prefix: prefix, Cursor: cursor, Limit: new(min(1000, max(maxKeys-seen, 10)))})
			if err != nil {
				yield(kv.Key{}, err)
				return
			}
			for _, k := range page.Keys {
				seen++
				if !yield(k, nil) {
					return
				}
			}
			if page.Done() {
				return
			}
			cursor = page.Cursor
		}
	}
}

// KeyNames drains the SDK's auto-pager and returns every key name under
// prefix, in order.
func (n *Namespace) KeyNames(ctx context.Context, prefix string) ([]string, error) {
	pager := n.client.KV.Namespaces.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(prefix),
	})
	var names []string
	for pager.Next() {
		names = append(names, pager.Current().Name)
	}
	return names, pager.Err()
}
