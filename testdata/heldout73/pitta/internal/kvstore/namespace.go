// Package kvstore is the booking service's thin adapter over the Workers KV
// REST API exposed by cloudflare-go. Each Namespace is bound to one account
// and one KV namespace ID taken from configuration.
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
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// bulkChunk is the number of pairs sent in one bulk request. The API accepts
// up to 10,000; we stay well below that to keep request bodies small.
const bulkChunk = 5000

// Namespace is one KV namespace reachable with the account's API token.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	name      string
}

// New binds a namespace. name is only used in error messages and logs.
func New(client *cloudflare.Client, accountID, namespaceID, name string) *Namespace {
	return &Namespace{client: client, accountID: accountID, id: namespaceID, name: name}
}

// Client exposes the underlying SDK client for code that needs calls the
// adapter does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace lives in.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the KV namespace ID.
func (n *Namespace) ID() string { return n.id }

func (n *Namespace) String() string { return n.name }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.name, key, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, ErrNotFound
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("kv %s: read %q: %w", n.name, key, err)
	}
	return b, nil
}

// Put stores value under key. A zero ttl stores the value without expiry;
// otherwise the TTL is sent in whole seconds.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.name, key, err)
	}
	return nil
}

// PutUntil stores value under key and lets it expire at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.name, key, err)
	}
	return nil
}

// PutCache stores a cache entry. Entries shorter than a minute are stretched
// to a minute, which is the shortest expiry KV accepts.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv %s: delete %q: %w", n.name, key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix together with the cursor
// for the next page ("" when there is none).
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv %s: list %q: %w", n.name, prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// BulkPut writes pairs in chunks the bulk endpoint accepts and reports the
// keys the API could not store.
func (n *Namespace) BulkPut(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) ([]string, error) {
	var failed []string
	for start := 0; start < len(pairs); start += bulkChunk {
		end := min(start+bulkChunk, len(pairs))
		res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      pairs[start:end],
		})
		if err != nil {
			return failed, fmt.Errorf("kv %s: bulk put [%d:%d]: %w", n.name, start, end, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkDelete removes keys, 10,000 per request at most.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	const maxKeys = 10000
	for start := 0; start < len(keys); start += maxKeys {
		end := min(start+maxKeys, len(keys))
		_, err := n.client.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv %s: bulk delete: %w", n.name, err)
		}
	}
	return nil
}

// BulkGetText fetches up to 100 text values at once. Missing keys are absent
// from the returned map.
func (n *Namespace) BulkGetText(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := n.client.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("kv %s: bulk get: %w", n.name, err)
	}
	out := make(map[string]string, len(keys))
	values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	for k, v := range values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
	return out, nil
}

// IsNotFound reports whether err is a 404 from the Cloudflare API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
