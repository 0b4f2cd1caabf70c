// Package cfkv is the campaign daemon's adapter over the Cloudflare REST API
// for Workers KV. It translates SDK errors into the sentinels below.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

var (
	// ErrNotFound means the key does not exist or has expired.
	ErrNotFound = errors.New("kv: key not found")
	// ErrRateLimited means the API or the per-key write limit pushed back.
	ErrRateLimited = errors.New("kv: rate limited")
	// ErrTooLarge means a key, value or metadata exceeded a KV limit.
	ErrTooLarge = errors.New("kv: too large")
)

// translate maps cloudflare-go errors onto the package sentinels.
func translate(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%s %q: %w", op, key, ErrNotFound)
		case http.StatusTooManyRequests:
			return fmt.Errorf("%s %q: %w", op, key, ErrRateLimited)
		case http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong:
			return fmt.Errorf("%s %q: %w", op, key, ErrTooLarge)
		}
	}
	return fmt.Errorf("%s %q: %w", op, key, err)
}

// Namespace is one KV namespace in one account.
type Namespace struct {
	api     *cloudflare.Client
	account string
	id      string
}

// New binds a namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, account: accountID, id: namespaceID}
}

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.id }

// Account returns the account ID.
func (n *Namespace) Account() string { return n.account }

// API returns the client, for callers that use SDK features directly.
func (n *Namespace) API() *cloudflare.Client { return n.api }

// Get reads the value stored under key.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.account),
	})
	if err != nil {
		return nil, translate("get", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// Put writes value under key.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, o PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	return translate("put", key, err)
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.account),
	})
	return translate("delete", key, err)
}

// ListPage returns one page of keys (with metadata) and the cursor of the
// next page; the cursor is empty on the last page.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.api.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", translate("list", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Iter returns the SDK's auto-pager over every key under prefix.
func (n *Namespace) Iter(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.api.KV.Namespaces.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.account),
		Prefix:    cloudflare.F(prefix),
	})
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkWriter is implemented by stores that can write many pairs in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// BulkDeleter is implemented by stores that can delete many keys in one call.
type BulkDeleter interface {
	DeleteMany(ctx context.Context, keys []string) error
}

// PutMany writes entries with the bulk endpoint.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F[any](e.Metadata)
		}
		body = append(body, b)
	}
	res, err := n.api.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.account),
		Body:      body,
	})
	if err != nil {
		return translate("bulk put", fmt.Sprintf("%d keys", len(entries)), err)
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kv: bulk put: %d keys failed, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
	}
	return nil
}

// DeleteMany deletes keys with the bulk endpoint.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	_, err := n.api.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(n.account),
		Body:      keys,
	})
	return translate("bulk delete", fmt.Sprintf("%d keys", len(keys)), err)
}

// GetMany reads up to 100 text values in one call. Missing keys are absent
// from the result.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := n.api.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, translate("bulk get", fmt.Sprintf("%d keys", len(keys)), err)
	}
	out := make(map[string]string, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}
