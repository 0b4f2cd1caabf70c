// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for one Workers KV namespace.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace addresses one KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// Open builds a Namespace from an API token.
func Open(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		Client:    cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		AccountID: accountID,
		ID:        namespaceID,
	}
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. Cache entries always live at least a minute.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil writes value so that it expires at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutWithMeta writes value with list-visible metadata.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, params)
	return err
}

// Get reads the value under key. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	return err
}

// Meta returns the metadata stored with key.
func (n *Namespace) Meta(ctx context.Context, key string) (any, error) {
	res, err := n.Client.KV.Namespaces.Metadata.Get(ctx, n.ID, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		return nil, err
	}
	return *res, nil
}

// ListPage returns one page of keys under prefix, and the cursor for the
// next page ("" when there is none).
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns the SDK's auto-pager over every key under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, n.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value string
	TTL   time.Duration
}

// MaxBulk is the most pairs the bulk endpoint accepts per request.
const MaxBulk = 10000

// BulkPut writes pairs in requests of at most MaxBulk entries and returns the
// keys the API reported as not written.
func (n *Namespace) BulkPut(ctx context.Context, pairs []Pair) ([]string, error) {
	var failed []string
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, p := range pairs[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
			if p.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(p.TTL, time.Minute).Seconds())
			}
			body = append(body, item)
		}
		res, err := n.Client.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkGet reads up to 100 keys as text. Missing keys are absent from the map.
func (n *Namespace) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		res, err := n.Client.KV.Namespaces.BulkGet(ctx, n.ID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.AccountID),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return out, err
		}
		if vals, ok := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion); ok {
			for k, v := range vals {
				if s, ok := v.(shared.UnionString); ok {
					out[k] = string(s)
				}
			}
		}
	}
	return out, nil
}

// BulkDelete removes keys in batches.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := n.Client.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return err
		}
	}
	return nil
}
