package kvstore

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const (
	// maxBulkRead is the number of keys the bulk read endpoint accepts.
	maxBulkRead = 100
	// maxBulkWrite is the number of pairs the bulk write endpoint accepts.
	maxBulkWrite = 10_000
)

// BulkGet reads keys in batches of at most 100. Keys that do not exist are
// absent from the result.
func (c *Cloudflare) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += maxBulkRead {
		end := min(start+maxBulkRead, len(keys))
		res, err := c.keys.BulkGet(ctx, c.namespace, kv.NamespaceKeyBulkGetParams{
			AccountID: cloudflare.F(c.account),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv bulk get: %w", err)
		}
		result, ok := res.AsUnion().(kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for name, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[name] = string(s)
			}
		}
	}
	return out, nil
}

// BulkDelete removes keys in batches of at most 10,000.
func (c *Cloudflare) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += maxBulkWrite {
		end := min(start+maxBulkWrite, len(keys))
		_, err := c.keys.BulkDelete(ctx, c.namespace, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(c.account),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

var _ BulkStore = (*Cloudflare)(nil)
