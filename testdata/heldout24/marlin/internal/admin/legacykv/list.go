package legacykv

import (
	"context"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Keys returns the names of keys under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string) ([]string, error) {
	res, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// Sample returns a handful of keys under prefix for a quick look.
func (n *Namespace) Sample(ctx context.Context, prefix string) ([]cloudflare.StorageKey, error) {
	res, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix, Limit: 5}) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return res.Result, nil
}

// Page returns one page of keys and the cursor of the next page.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	limit = min(max(limit, 10), 1000)
	res, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	return res.Result, res.Cursor, nil
}

// Walk calls fn for every key under prefix, at most maxPages pages.
func (n *Namespace) Walk(ctx context.Context, prefix string, maxPages int, fn func(cloudflare.StorageKey) error) (string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := n.api.ListWorkersKVKeys(ctx, n.rc, params)
		if err != nil {
			return params.Cursor, err
		}
		for _, k := range res.Result {
			if err := fn(k); err != nil {
				return params.Cursor, err
			}
		}
		if res.Cursor == "" {
			return "", nil
		}
		params.Cursor = res.Cursor
	}
	return params.Cursor, nil
}

// Dump returns every key under prefix with its metadata.
func (n *Namespace) Dump(ctx context.Context, prefix string, maxPages int) ([]cloudflare.StorageKey, error) {
	var out []cloudflare.StorageKey
	params := cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := n.api.ListWorkersKVKeys(ctx, n.rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, res.Result...)
		if res.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: n.id, Cursor: res.Cursor, Limit: 1000}
	}
	return out, nil
}
