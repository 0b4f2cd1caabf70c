// Package cfkv adapts the kvstore port to a Workers KV namespace through the
// Cloudflare REST API.
package cfkv

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/vireo/internal/kvstore"
)

// maxValueBytes bounds how much of a value is read into memory.
const maxValueBytes = 25 << 20

// Adapter implements kvstore.Store for one namespace.
type Adapter struct {
	ns        *kv.NamespaceService
	accountID string
	namespace string
}

// New returns an adapter bound to namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Adapter {
	return &Adapter{ns: client.KV.Namespaces, accountID: accountID, namespace: namespaceID}
}

var _ kvstore.Store = (*Adapter)(nil)

// Get reads a value, translating a 404 into kvstore.ErrNotFound.
func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.ns.Values.Get(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil {
		return nil, translate(key, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxValueBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cfkv: read %q: %w", key, err)
	}
	return body, nil
}

// Put writes a value with the given expiry and metadata.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts kvstore.WriteOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if opts.ExpireAt > 0 {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := a.ns.Values.Update(ctx, a.namespace, url.PathEscape(key), params); err != nil {
		return translate(key, err)
	}
	return nil
}

// Delete removes a key; deleting an absent key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.ns.Values.Delete(ctx, a.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.accountID),
	})
	if err != nil && !errors.Is(translate(key, err), kvstore.ErrNotFound) {
		return translate(key, err)
	}
	return nil
}

// List returns a single page of keys and the cursor for the next one.
func (a *Adapter) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	limit := max(min(cmp.Or(q.Limit, kvstore.MaxListLimit), kvstore.MaxListLimit), 10)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	res, err := a.ns.Keys.List(ctx, a.namespace, params)
	if err != nil {
		return kvstore.Page{}, translate(q.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	page.Keys = make([]kvstore.Key, 0, len(res.Result))
	for _, k := range res.Result {
		var meta json.RawMessage
		if k.Metadata != nil {
			meta, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, kvstore.Key{Name: k.Name, Expiration: int64(k.Expiration), Metadata: meta})
	}
	return page, nil
}

// translate maps API failures onto the port's errors.
func translate(key string, err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("cfkv: %q: %w", key, kvstore.ErrNotFound)
		case http.StatusTooManyRequests:
			return fmt.Errorf("cfkv: %q: rate limited: %w", key, err)
		}
	}
	return fmt.Errorf("cfkv: %q: %w", key, err)
}
