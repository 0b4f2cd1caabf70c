// Package backoffice is the kitchen's back-office service. It talks to
// Workers KV through the Cloudflare REST API and runs the heavy jobs the
// edge should not: catalogue imports, audits and account support tasks.
package backoffice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/thistle/internal/store"
)

// KV is a namespace reached over the REST API. It implements store.Store.
type KV struct {
	api       *cloudflare.Client
	account   string
	namespace string
	minTTL    time.Duration
}

// Option configures KV.
type Option func(*KV)

// WithMinTTL raises every TTL written through KV to at least d.
func WithMinTTL(d time.Duration) Option { return func(k *KV) { k.minTTL = d } }

// NewKV builds a REST-backed namespace.
func NewKV(token, account, namespace string, opts ...Option) *KV {
	k := &KV{
		api:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		account:   account,
		namespace: namespace,
		minTTL:    store.MinTTL,
	}
	for _, o := range opts {
		o(k)
	}
	return k
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements store.Getter.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := k.api.KV.Namespaces.Values.Get(ctx, k.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(k.account)})
	if isNotFound(err) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("backoffice: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements store.Putter. TTLs are floored at the client's minimum.
func (k *KV) Put(ctx context.Context, key string, value []byte, opts store.PutOptions) error {
	p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(k.account), Value: cloudflare.F(string(value))}
	switch {
	case opts.TTL > 0:
		p.ExpirationTTL = cloudflare.F(max(opts.TTL, k.minTTL).Seconds())
	case !opts.ExpireAt.IsZero():
		p.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	_, err := k.api.KV.Namespaces.Values.Update(ctx, k.namespace, url.PathEscape(key), p)
	return err
}

// PutMeta writes a value with JSON metadata attached.
func (k *KV) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(k.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(max(ttl, k.minTTL).Seconds())
	}
	_, err := k.api.KV.Namespaces.Values.Update(ctx, k.namespace, url.PathEscape(key), p)
	return err
}

// Delete implements store.Deleter.
func (k *KV) Delete(ctx context.Context, key string) error {
	_, err := k.api.KV.Namespaces.Values.Delete(ctx, k.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(k.account)})
	if isNotFound(err) {
		return nil
	}
	return err
}

// List implements store.Lister, one page per call.
func (k *KV) List(ctx context.Context, q store.ListQuery) (store.Page, error) {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(k.account), Prefix: cloudflare.F(q.Prefix)}
	if q.Cursor != "" {
		p.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		p.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := k.api.KV.Namespaces.Keys.List(ctx, k.namespace, p)
	if err != nil {
		return store.Page{}, err
	}
	page := store.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, key := range res.Result {
		e := store.Entry{Key: key.Name}
		if key.Expiration > 0 {
			e.Expiration = time.Unix(int64(key.Expiration), 0)
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

// BulkWrite writes pairs in one request.
func (k *KV) BulkWrite(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := k.api.KV.Namespaces.BulkUpdate(ctx, k.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(k.account), Body: pairs})
	return err
}

// BulkRead fetches up to 100 text values at once.
func (k *KV) BulkRead(ctx context.Context, keys []string) (map[string]string, error) {
	if len(keys) > 100 {
		return nil, fmt.Errorf("backoffice: bulk read of %d keys exceeds 100", len(keys))
	}
	res, err := k.api.KV.Namespaces.BulkGet(ctx, k.namespace, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(k.account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if vals, ok := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion); ok {
		for name, v := range vals {
			if s, ok := v.(shared.UnionString); ok {
				out[name] = string(s)
			}
		}
	}
	return out, nil
}
