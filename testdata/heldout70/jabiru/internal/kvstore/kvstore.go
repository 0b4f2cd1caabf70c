// Package kvstore is jabiru's adapter over the Workers KV REST API
// (cloudflare-go v2). It hides the SDK's params structs, turns 404s into
// ErrNotFound and converts Go durations into the seconds KV expects.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulkPairs is the largest number of pairs the bulk endpoint accepts.
const MaxBulkPairs = 10_000

// Namespace is one KV namespace in one account.
type Namespace struct {
	api       *cloudflare.Client
	accountID string
	id        string
}

// Entry is one pair for PutBatch.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// Open builds a client for the namespace with an API token.
func Open(apiToken, accountID, namespaceID string, opts ...option.RequestOption) *Namespace {
	opts = append([]option.RequestOption{
		option.WithAPIToken(apiToken),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(10 * time.Second),
	}, opts...)
	return &Namespace{api: cloudflare.NewClient(opts...), accountID: accountID, id: namespaceID}
}

// ID returns the namespace identifier.
func (n *Namespace) ID() string { return n.id }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
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

// Lookup is Get with the miss reported through ok instead of an error.
func (n *Namespace) Lookup(ctx context.Context, key string) (value []byte, ok bool, err error) {
	value, err = n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return value, true, nil
}

// GetJSON decodes the value under key into dst. It reports false on a miss.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	raw, ok, err := n.Lookup(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return false, fmt.Errorf("kv decode %q: %w", key, err)
	}
	return true, nil
}

// Put stores value under key. A zero ttl stores it without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Value:     cloudflare.F(string(value)),
			Metadata:  cloudflare.F("{}"),
		})
		return wrap("put", key, err)
	}
	_, err := n.api.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(float64(int(ttl.Seconds()))),
		}},
	})
	return wrap("put", key, err)
}

// PutCached stores a cache entry. KV refuses lifetimes under a minute, so
// shorter ones are rounded up rather than failing the request.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.api.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(string(value)),
			Expiration: cloudflare.F(float64(at.Unix())),
		}},
	})
	return wrap("put", key, err)
}

// PutWithMetadata stores value and a small metadata object that List returns
// alongside the key.
func (n *Namespace) PutWithMetadata(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:      cloudflare.F(key),
		Value:    cloudflare.F(string(value)),
		Metadata: cloudflare.F(meta),
	}
	if ttl > 0 {
		body.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return n.Bulk(ctx, []kv.NamespaceBulkUpdateParamsBody{body})
}

// Bulk sends pre-built bulk bodies in one request. Callers that need
// base64 values or absolute expirations build the bodies themselves.
func (n *Namespace) Bulk(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := n.api.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	return wrap("bulk put", fmt.Sprintf("%d pairs", len(body)), err)
}

// PutBatch writes entries with the bulk endpoint, MaxBulkPairs at a time.
func (n *Namespace) PutBatch(ctx context.Context, entries []Entry) error {
	var errs []error
	for start := 0; start < len(entries); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL >= time.Minute {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		if err := n.Bulk(ctx, body); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return wrap("delete", key, err)
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, wrap("list", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Keys exposes the SDK's key service for callers that page on their own.
func (n *Namespace) Keys() (*kv.NamespaceKeyService, string) {
	return n.api.KV.Namespaces.Keys, n.accountID
}

func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("kv %s %q: %w", op, key, err)
}
