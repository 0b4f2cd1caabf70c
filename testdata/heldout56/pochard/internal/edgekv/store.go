// Package edgekv adapts cloudflare-go/v6 Workers KV calls for the rate
// publisher, which pushes nightly rates to the edge namespace.
package edgekv

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/rates"
	"pochard/internal/tracing"
)

// minTTL is the shortest expiry KV accepts.
const minTTL = time.Minute

// Store is one namespace reached through the v6 client.
type Store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

var _ rates.Store = (*Store)(nil)

// New returns the edge rate namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) rates.Store {
	return &Store{client: client, account: accountID, ns: namespaceID}
}

// Get returns the value under key, or kv.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (raw []byte, err error) {
	ctx, end := tracing.Start(ctx, "edgekv.get", tracing.Str("key", key))
	defer end(&err)
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, kv.ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value. TTLs shorter than KV's minimum are raised to it.
func (s *Store) Put(ctx context.Context, key string, value []byte, o kv.PutOptions) (err error) {
	ctx, end := tracing.Start(ctx, "edgekv.put", tracing.Str("key", key))
	defer end(&err)
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL != nil {
		ttl := *o.TTL
		if ttl < minTTL {
			ttl = minTTL
		}
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if o.ExpiresAt != nil {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, params)
	return err
}

// PutPairs writes pairs in one bulk request. Callers size the batch.
func (s *Store) PutPairs(ctx context.Context, pairs []kv.Pair) (err error) {
	ctx, end := tracing.Start(ctx, "edgekv.bulk_put", tracing.Int("pairs", len(pairs)))
	defer end(&err)
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		b := cfkv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(p.Key),
			Value: cloudflare.F(string(p.Value)),
		}
		if p.ExpirationTTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(p.ExpirationTTL))
		}
		if p.Expiration > 0 {
			b.Expiration = cloudflare.F(float64(p.Expiration))
		}
		if p.Metadata != nil {
			b.Metadata = cloudflare.F[any](p.Metadata)
		}
		body = append(body, b)
	}
	_, err = s.client.KV.Namespaces.BulkUpdate(ctx, s.ns, cfkv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body:      body,
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) (err error) {
	ctx, end := tracing.Start(ctx, "edgekv.delete", tracing.Str("key", key))
	defer end(&err)
	_, err = s.client.KV.Namespaces.Values.Delete(ctx, s.ns, key, cfkv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, o kv.ListOptions) (page kv.Page, err error) {
	ctx, end := tracing.Start(ctx, "edgekv.list", tracing.Str("prefix", opt.Deref(o.Prefix, "")))
	defer end(&err)
	params := cfkv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Limit:     cloudflare.F(float64(opt.Deref(o.Limit, 1000))),
	}
	if o.Prefix != nil {
		params.Prefix = cloudflare.F(*o.Prefix)
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return kv.Page{}, err
	}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, kv.Entry{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	page.Cursor = res.ResultInfo.Cursor
	page.Complete = page.Cursor == ""
	return page, nil
}
