package cfkv

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/kiln/internal/kvstore"
)

// maxBulkWrite is the most pairs one bulk write request may carry.
const maxBulkWrite = 10_000

// GetMany reads up to kvstore.MaxBulkGet keys in one request. Missing keys are
// absent from the result.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if len(keys) > kvstore.MaxBulkGet {
		return nil, fmt.Errorf("cfkv: bulk get of %d keys exceeds %d", len(keys), kvstore.MaxBulkGet)
	}
	res, err := n.client.KV.Namespaces.BulkGet(ctx, n.namespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("cfkv bulk get: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	values, _ := res.Values.(map[string]any)
	for k, v := range values {
		if s, ok := v.(string); ok {
			out[k] = []byte(s)
		}
	}
	return out, nil
}

// PutMany writes pairs in chunks the API accepts.
func (n *Namespace) PutMany(ctx context.Context, pairs []kvstore.Pair) error {
	for start := 0; start < len(pairs); start += maxBulkWrite {
		end := min(start+maxBulkWrite, len(pairs))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, p := range pairs[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(p.Key),
				Value: cloudflare.F(string(p.Value)),
			}
			if p.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(kvstore.ClampTTL(p.TTL).Seconds())
			}
			body = append(body, item)
		}
		res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv bulk put: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfkv bulk put: %d keys not written, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}
