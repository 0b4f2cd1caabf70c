// Package kvstore is the bot's thin adapter over the Cloudflare REST API for
// Workers KV. The edge Worker talks to the same namespaces through its
// bindings; the backend bot (Discord gateway, Slack socket mode, Stripe
// webhooks) goes through this package.
package kvstore

import (
	"context"
	"encoding/json"
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

// MinTTL is the shortest lifetime Workers KV accepts for a key.
const MinTTL = time.Minute

// Namespace is one KV namespace in one account.
type Namespace struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// Open binds a namespace by ID.
func Open(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, accountID: accountID, namespaceID: namespaceID}
}

// Client exposes the underlying SDK client for callers that need an
// endpoint the adapter does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.api }

// Account returns the account ID the namespace lives in.
func (n *Namespace) Account() string { return n.accountID }

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.namespaceID }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.KV.Namespaces.Values.Get(ctx, n.namespaceID, key, kv.NamespaceValueGetParams{
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

// GetJSON decodes the value under key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value under key. A zero ttl stores the key without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int64(ttl.Seconds())))
	}
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutUntil writes value under key and expires it at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Cache writes a derived, recomputable value. Lifetimes are floored at the
// KV minimum so that short "freshness" hints from callers are still legal.
func (n *Namespace) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.Put(ctx, key, value, ttl)
}

// PutWithMeta writes value and attaches JSON metadata returned by List.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns a single page of keys under prefix, starting at cursor.
// The caller decides whether to ask for the next page.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Each calls fn for every key under prefix.
func (n *Namespace) Each(ctx context.Context, prefix string, fn func(kv.Key) error) error {
	iter := n.api.KV.Namespaces.Keys.ListAutoPaging(ctx, n.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		if err := fn(iter.Current()); err != nil {
			return err
		}
	}
	return iter.Err()
}

// EachN is Each with a budget: it stops after max keys.
func (n *Namespace) EachN(ctx context.Context, prefix string, max int, fn func(kv.Key) error) error {
	iter := n.api.KV.Namespaces.Keys.ListAutoPaging(ctx, n.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	for seen := 0; seen < max && iter.Next(); seen++ {
		if err := fn(iter.Current()); err != nil {
			return err
		}
	}
	return iter.Err()
}

// Entry is one pair for BulkPut.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// maxBulk is the REST bulk endpoint's limit on pairs per request.
const maxBulk = 10_000

// BulkPut writes entries in chunks the bulk endpoint accepts.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, MinTTL).Seconds())
			}
			body = append(body, b)
		}
		if _, err := n.api.KV.Namespaces.BulkUpdate(ctx, n.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// UpdateJSON loads the JSON document under key (or the zero value when the
// key is missing), applies fn and writes the result back.
func UpdateJSON[T any](ctx context.Context, n *Namespace, key string, ttl time.Duration, fn func(*T) error) (T, error) {
	var doc T
	raw, err := n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return doc, err
	default:
		if err := json.Unmarshal(raw, &doc); err != nil {
			return doc, err
		}
	}
	if err := fn(&doc); err != nil {
		return doc, err
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return doc, err
	}
	return doc, n.Put(ctx, key, out, ttl) // EXPECT kvrace
}
