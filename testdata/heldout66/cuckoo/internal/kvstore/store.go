// Package kvstore is the backend's thin adapter over the Cloudflare REST API for
// Workers KV. The ingestion service and fleetctl share one Namespace per binding.
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
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace reached through the REST API.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// Open builds a Namespace from an API token. The client retries 429s and 5xx
// twice before giving up.
func Open(token, accountID, namespaceID string) *Namespace {
	c := cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(15*time.Second),
	)
	return &Namespace{client: c, accountID: accountID, id: namespaceID}
}

// ID returns the namespace identifier, for logs.
func (n *Namespace) ID() string { return n.id }

// Get reads a value. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
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

// Put writes value under key. A zero ttl stores the value without expiry;
// otherwise ttl is sent as expiration_ttl in whole seconds.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCached writes a cache entry. Cache lifetimes come from config and callers
// tend to pass small values in development, so the floor is applied here.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil writes value so that it expires at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutWithMeta writes value together with JSON metadata that list results carry.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F[any](meta),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty on the last page
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// BulkPut writes up to 10,000 entries in one request.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
		}
		body = append(body, b)
	}
	res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(entries), err)
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kv bulk put: %d keys failed, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
	}
	return nil
}

// BulkGet reads up to 100 text values at once. Missing keys are absent from the map.
func (n *Namespace) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := n.client.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("kv bulk get: %w", err)
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

// PutExpiring writes value with an absolute expiration given in seconds since
// the Unix epoch, as the API takes it.
func (n *Namespace) PutExpiring(ctx context.Context, key string, value []byte, expiresAt int64) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(expiresAt)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Client exposes the underlying API client for the few admin paths that need
// parameters this adapter does not model.
func (n *Namespace) Client() (*cloudflare.Client, string, string) {
	return n.client, n.accountID, n.id
}
