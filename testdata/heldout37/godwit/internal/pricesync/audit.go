package pricesync

import (
	"context"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"
)

// Audit compares the ERP's prices with KV's, a hundred keys per bulk read,
// and returns the SKUs that differ.
func (s *Syncer) Audit(ctx context.Context, erp map[string]int64) ([]string, error) {
	var drift []string
	for batch := range slices.Chunk(slices.Sorted(maps.Keys(erp)), bulkGetBatch) {
		keys := make([]string, len(batch))
		for i, sku := range batch {
			keys[i] = priceKey(sku)
		}
		res, err := s.Client.KV.Namespaces.BulkGet(ctx, s.NSID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.AccountID),
			Keys:      cloudflare.F(keys),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return drift, err
		}
		got, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		for _, sku := range batch {
			v, ok := got.Values[priceKey(sku)].(shared.UnionString)
			if !ok || string(v) != strconv.FormatInt(erp[sku], 10) {
				drift = append(drift, sku)
			}
		}
	}
	return drift, nil
}

// Spot returns the sync time of a handful of keys, for the health check.
func (s *Syncer) Spot(ctx context.Context) (map[string]time.Time, error) {
	page, err := s.Client.KV.Namespaces.Keys.List(ctx, s.NSID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F("price:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(page.Result))
	for _, k := range page.Result {
		if m, err := decodeMeta(k.Metadata); err == nil {
			out[k.Name] = m.SyncedAt
		}
	}
	return out, nil
}

// EnsureDefaults writes a fallback price for SKUs that have none yet.
func (s *Syncer) EnsureDefaults(ctx context.Context, defaults map[string]int64) error {
	for _, sku := range slices.Sorted(maps.Keys(defaults)) {
		key := url.PathEscape(priceKey(sku))
		res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NSID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)}) // EXPECT kvnull
		if err == nil {
			res.Body.Close()
			continue
		}
		if _, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
			AccountID: cloudflare.F(s.AccountID),
			Value:     cloudflare.F(strconv.FormatInt(defaults[sku], 10)),
			Metadata:  cloudflare.F[any](Meta{Source: "default", SyncedAt: time.Now().UTC()}),
		}); err != nil {
			return err
		}
	}
	return nil
}

// CurrentPrice returns KV's price for sku, or fallback when KV has none.
func (s *Syncer) CurrentPrice(ctx context.Context, sku string, fallback int64) (int64, error) {
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NSID, url.PathEscape(priceKey(sku)), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return strconv.ParseInt(string(raw), 10, 64)
	}
	return fallback, nil
}
