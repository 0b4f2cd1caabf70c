package catalog

import (
	"context"
	"fmt"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// HomepageSlots is the number of merchandising tiles on the home page grid
// (10 rows of 12 on desktop).
const HomepageSlots = 120

// Homepage reads the merchandising slots in one round trip.
func (p *Publisher) Homepage(ctx context.Context) ([]string, error) {
	slotKeys := make([]string, 0, HomepageSlots)
	for i := range HomepageSlots {
		slotKeys = append(slotKeys, fmt.Sprintf("home:slot:%03d", i))
	}
	res, err := p.cf.KV.Namespaces.BulkGet(ctx, p.ns, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(p.account),
		Keys:      cloudflare.F(slotKeys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	return slotValues(res, slotKeys), nil
}

// Featured reads the editor's picks for a landing page (at most one bulk
// request's worth of keys, enforced by the admin UI).
func (p *Publisher) Featured(ctx context.Context, skus []string) ([]string, error) {
	var out []string
	for start := 0; start < len(skus); start += 100 {
		batch := make([]string, 0, 100)
		for _, sku := range skus[start:min(start+100, len(skus))] {
			batch = append(batch, "catalog:product:"+sku)
		}
		res, err := p.cf.KV.Namespaces.BulkGet(ctx, p.ns, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(p.account),
			Keys:      cloudflare.F(batch),
		})
		if err != nil {
			return nil, err
		}
		out = append(out, slotValues(res, batch)...)
	}
	return out, nil
}

func slotValues(res *kv.NamespaceBulkGetResponse, order []string) []string {
	out := make([]string, 0, len(order))
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return out
	}
	for _, k := range order {
		if s, ok := r.Values[k].(shared.UnionString); ok {
			out = append(out, string(s))
		}
	}
	return out
}
