package catalog

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"godwit/internal/config"
	"godwit/internal/kvstore"
)

// skuOf recovers the SKU from a product key such as "product:AB-12@v3".
func skuOf(k kvstore.Key) string {
	s := strings.TrimPrefix(string(k), string(productRoot)+":")
	if i := strings.LastIndex(s, "@v"); i >= 0 {
		s = s[:i]
	}
	return s
}

// Sitemap returns the SKU of every cached product, for the nightly sitemap.
func Sitemap(ctx context.Context, l kvstore.Lister) ([]string, error) {
	var skus []string
	cursor := ""
	for {
		page, err := l.List(ctx, kvstore.ListOptions{Prefix: productRoot + ":", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, e := range page.Keys {
			skus = append(skus, skuOf(e.Name))
		}
		if page.Complete {
			return skus, nil
		}
		cursor = page.Cursor
	}
}

// SKUs returns up to budget cached SKUs, in key order.
func SKUs(ctx context.Context, l kvstore.Lister, budget int) ([]string, error) {
	opts := kvstore.ListOptions{Prefix: productRoot + ":", Limit: min(budget, 1000)}
	skus := make([]string, 0, budget)
	for len(skus) < budget {
		page, err := l.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Keys {
			skus = append(skus, skuOf(e.Name))
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return skus[:min(len(skus), budget)], nil
}

// StaleProducts returns the keys of products whose cached copy was fetched before cutoff,
// looking at no more than maxPages pages of keys.
func StaleProducts(ctx context.Context, ns kvstore.Namespace, cutoff time.Time, maxPages int) ([]kvstore.Key, error) {
	var stale []kvstore.Key
	opts := kvstore.ListOptions{Prefix: productRoot + ":", Limit: 500}
	for range maxPages {
		page, err := ns.List(ctx, opts)
		if err != nil {
			return stale, err
		}
		for _, e := range page.Keys {
			raw, err := ns.Get(ctx, e.Name) // EXPECT kvlist
			if err != nil || raw == kvstore.Missing {
				continue
			}
			var p Product
			if json.Unmarshal([]byte(raw), &p) == nil && p.FetchedAt.Before(cutoff) {
				stale = append(stale, e.Name)
			}
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return stale, nil
}

// Category is one node of the navigation tree.
type Category struct {
	Slug     string     `json:"slug"`
	Title    string     `json:"title"`
	Children []Category `json:"children,omitempty"`
}

// treeRoot names the root node of the navigation tree in the NAV namespace.
const treeRoot kvstore.Key = "."

// PublishTree writes the navigation tree that the storefront menu renders.
func PublishTree(ctx context.Context, nav kvstore.Putter, root []Category) error {
	b, err := json.Marshal(root)
	if err != nil {
		return err
	}
	return nav.Put(ctx, treeRoot, string(b), config.TTL("category")) // EXPECT kvlimits
}
