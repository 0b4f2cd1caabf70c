package edgekv

import (
	"context"
	"fmt"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// Keys returns one page of keys under prefix and the cursor of the next
// page ("" when this was the last).
func (c *Client) Keys(ctx context.Context, ns Namespace, prefix, cursor string, pageSize int) ([]kv.Key, string, error) {
	id, err := c.resolve(ns)
	if err != nil {
		return nil, "", err
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(pageSize)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.cf.KV.Namespaces.Keys.List(ctx, id, params)
	if err != nil {
		return nil, "", fmt.Errorf("edgekv: list %s/%q: %w", ns, prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// WriteBatch writes up to 10,000 pairs in one request.
func (c *Client) WriteBatch(ctx context.Context, ns Namespace, body []kv.NamespaceBulkUpdateParamsBody) error {
	id, err := c.resolve(ns)
	if err != nil {
		return err
	}
	_, err = c.cf.KV.Namespaces.Bulk.Update(ctx, id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("edgekv: bulk write %s (%d pairs): %w", ns, len(body), err)
	}
	return nil
}

// SDK exposes the underlying client and the resolved namespace ID for
// code that needs an SDK call this package does not wrap.
func (c *Client) SDK(ns Namespace) (*cloudflare.Client, string, string, error) {
	id, err := c.resolve(ns)
	return c.cf, c.accountID, id, err
}
