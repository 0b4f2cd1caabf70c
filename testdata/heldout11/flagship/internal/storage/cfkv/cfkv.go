// Package cfkv implements storage.Store on Cloudflare Workers KV through the
// REST API (cloudflare-go v6).
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/flagship/internal/storage"
)

// REST limits per request.
const (
	maxBulkPairs = 10_000
	maxBulkGet   = 100
)

// Adapter is a storage.Store over one KV namespace.
type Adapter struct {
	client    *cloudflare.Client
	account   string
	namespace string
}

var _ storage.BulkWriter = (*Adapter)(nil)

// New returns an adapter for namespace in account.
func New(client *cloudflare.Client, account, namespace string) *Adapter {
	return &Adapter{client: client, account: account, namespace: namespace}
}

func (a *Adapter) wrap(op, key string, err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		if apiErr.StatusCode == http.StatusNotFound {
			err = storage.ErrNotFound
		}
		return &storage.OpError{Op: op, Key: key, Status: apiErr.StatusCode, Err: err}
	}
	return &storage.OpError{Op: op, Key: key, Err: err}
}

// Get reads one value.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.account),
	})
	if err != nil {
		return nil, a.wrap("get", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	} else if o.ExpireAt > 0 {
		params.Expiration = cloudflare.F(float64(o.ExpireAt))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := a.client.KV.Namespaces.Values.Update(ctx, a.namespace, key, params); err != nil {
		return a.wrap("put", key, err)
	}
	return nil
}

// Delete removes one key.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, a.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.account),
	})
	if err != nil {
		return a.wrap("delete", key, err)
	}
	return nil
}

// List returns one page of keys.
func (a *Adapter) List(ctx context.Context, prefix, cursor string, opts ...storage.ListOption) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.account),
		Limit:     cloudflare.F(float64(storage.PageSize(opts...))),
	}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespace, params)
	if err != nil {
		return storage.Page{}, a.wrap("list", prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		page.Entries = append(page.Entries, storage.Entry{Name: k.Name, Metadata: k.Metadata})
	}
	return page, nil
}

// ListAll returns every key under prefix.
func (a *Adapter) ListAll(ctx context.Context, prefix string) ([]string, error) {
	iter := a.client.KV.Namespaces.Keys.ListAutoPaging(ctx, a.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.account),
		Prefix:    cloudflare.F(prefix),
	})
	var out []string
	for iter.Next() {
		out = append(out, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return out, a.wrap("list", prefix, err)
	}
	return out, nil
}

// PutMany writes items with the bulk endpoint, maxBulkPairs at a time.
func (a *Adapter) PutMany(ctx context.Context, items []storage.Item) error {
	for start := 0; start < len(items); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(items))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, it := range items[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(it.Key), Value: cloudflare.F(string(it.Value))}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(it.TTL.Seconds())
			}
			if it.Metadata != nil {
				b.Metadata = cloudflare.F[any](it.Metadata)
			}
			body = append(body, b)
		}
		res, err := a.client.KV.Namespaces.BulkUpdate(ctx, a.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.account),
			Body:      body,
		})
		if err != nil {
			return a.wrap("bulk", items[start].Key, err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return &storage.OpError{Op: "bulk", Key: res.UnsuccessfulKeys[0], Err: fmt.Errorf("%d keys not written", n)}
		}
	}
	return nil
}

// GetMany reads text values, maxBulkGet keys per request. Missing keys are
// absent from the result.
func (a *Adapter) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += maxBulkGet {
		end := min(start+maxBulkGet, len(keys))
		res, err := a.client.KV.Namespaces.BulkGet(ctx, a.namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(a.account),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return out, a.wrap("bulkget", keys[start], err)
		}
		var decoded struct {
			Values map[string]*string `json:"values"`
		}
		if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &decoded); err != nil {
			return out, a.wrap("bulkget", keys[start], err)
		}
		for k, v := range decoded.Values {
			if v != nil {
				out[k] = *v
			}
		}
	}
	return out, nil
}
