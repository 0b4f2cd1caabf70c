package jobs

import (
	"context"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/storefront/internal/keys"
)

// ActiveSKUs reports which SKUs are still sellable.
type ActiveSKUs interface {
	Active(ctx context.Context) (map[string]bool, error)
}

// Pruner removes edge documents for delisted products.
type Pruner struct {
	CF        *cloudflare.Client
	AccountID string
	Namespace string
	Catalog   ActiveSKUs
}

// PruneSearchDocs deletes search documents whose SKU is no longer active.
func (p *Pruner) PruneSearchDocs(ctx context.Context) (int, error) {
	active, err := p.Catalog.Active(ctx)
	if err != nil {
		return 0, err
	}
	removed := 0
	cursor := ""
	for {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(p.AccountID),
			Prefix:    cloudflare.F(keys.SearchDocPrefix),
			Limit:     cloudflare.F(1000.0),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := p.CF.KV.Namespaces.Keys.List(ctx, p.Namespace, params) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Result) == 0 {
			break // nothing left under the prefix
		}
		var stale []string
		for _, k := range page.Result {
			if !active[strings.TrimPrefix(k.Name, keys.SearchDocPrefix)] {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := p.CF.KV.Namespaces.BulkDelete(ctx, p.Namespace, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(p.AccountID), Body: stale}); err != nil {
				return removed, err
			}
			removed += len(stale)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		cursor = page.ResultInfo.Cursor
	}
	return removed, nil
}

// AuditStock compares edge stock keys with the warehouse and returns SKUs
// present at the edge but unknown to the catalogue. It samples at most
// maxKeys keys per run; the report is advisory.
func (p *Pruner) AuditStock(ctx context.Context, maxKeys int) ([]string, error) {
	active, err := p.Catalog.Active(ctx)
	if err != nil {
		return nil, err
	}
	iter := p.CF.KV.Namespaces.Keys.ListAutoPaging(ctx, p.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(p.AccountID),
		Prefix:    cloudflare.F("stock:"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	})
	var unknown []string
	for iter.Next() {
		sku := strings.TrimPrefix(iter.Current().Name, "stock:")
		if !active[sku] {
			unknown = append(unknown, sku)
		}
		if iter.Index() >= maxKeys {
			break
		}
	}
	return unknown, iter.Err()
}
