package catalog

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/trellis/internal/keys"
)

// priceBatch is how many prices one storefront request resolves at once.
const priceBatch = 250

// ErrSlugTaken is returned when a product URL is already in use.
var ErrSlugTaken = errors.New("catalog: slug already claimed")

// Edge is direct Workers KV access for the storefront: views, slugs and prices.
type Edge struct {
	*cloudflare.Client
	account   string
	namespace string
}

func NewEdge(client *cloudflare.Client, account, namespace string) *Edge {
	return &Edge{Client: client, account: account, namespace: namespace}
}

func (e *Edge) get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := e.KV.Namespaces.Values.Get(ctx, e.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.account),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return raw, err == nil, err
}

// Views returns how many times sku has been viewed.
func (e *Edge) Views(ctx context.Context, t keys.TenantID, sku string) (int64, error) {
	raw, found, err := e.get(ctx, keys.Expand(keys.PatternViews, t, "sku", sku))
	if err != nil || !found {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// RecordView counts one product page view.
func (e *Edge) RecordView(ctx context.Context, t keys.TenantID, sku string) (int64, error) {
	n, err := e.Views(ctx, t, sku)
	if err != nil {
		return 0, err
	}
	n++
	_, err = e.KV.Namespaces.Values.Update(ctx, e.namespace, url.PathEscape(keys.Expand(keys.PatternViews, t, "sku", sku)), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(e.account),
		Value:     cloudflare.F(strconv.FormatInt(n, 10)),
	})
	return n, err
}

// ClaimSlug reserves a product URL for sku.
func (e *Edge) ClaimSlug(ctx context.Context, t keys.TenantID, slug, sku string) error {
	key := keys.Expand(keys.PatternSlug, t, "slug", slug)
	_, taken, err := e.get(ctx, key)
	if err != nil {
		return err
	}
	if taken {
		return ErrSlugTaken
	}
	_, err = e.KV.Namespaces.Values.Update(ctx, e.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(e.account),
		Value:     cloudflare.F(sku),
	})
	return err
}

// Prices returns the published price, in cents, of each SKU that has one.
func (e *Edge) Prices(ctx context.Context, t keys.TenantID, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	for start := 0; start < len(skus); start += priceBatch {
		batch := skus[start:min(start+priceBatch, len(skus))]
		names := make([]string, len(batch))
		for i, sku := range batch {
			names[i] = keys.Expand(keys.PatternPrice, t, "sku", sku)
		}
		res, err := e.KV.Namespaces.BulkGet(ctx, e.namespace, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(e.account),
			Keys:      cloudflare.F(names),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		values, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		for i, name := range names {
			if s, ok := values.Values[name].(shared.UnionString); ok {
				if cents, err := strconv.ParseInt(string(s), 10, 64); err == nil {
					out[batch[i]] = cents
				}
			}
		}
	}
	return out, nil
}
