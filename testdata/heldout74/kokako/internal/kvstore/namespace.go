// Package kvstore adapts the Cloudflare REST API (cloudflare-go v3) to the
// small surface the registration backend needs: one Namespace value per
// Workers KV namespace, told apart by name in the containers.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is a handle on one KV namespace of the university account.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	title     string
}

// New returns a handle on the namespace id.
func New(client *cloudflare.Client, accountID, id, title string) *Namespace {
	return &Namespace{client: client, accountID: accountID, id: id, title: title}
}

// Title is the human-readable name used in logs.
func (n *Namespace) Title() string { return n.title }

// Client exposes the SDK client for the few callers that need raw access.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID is the Cloudflare account that owns the namespace.
func (n *Namespace) AccountID() string { return n.accountID }

// ID is the namespace identifier.
func (n *Namespace) ID() string { return n.id }

// Get reads the value stored under key. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s get %q: %w", n.title, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl stores the pair without expiry.
// The v3 values endpoint takes no expiration, so expiring writes go through
// the bulk endpoint with a single pair.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Metadata:  cloudflare.F("{}"),
			Value:     cloudflare.F(string(value)),
		})
		if err != nil {
			return fmt.Errorf("kv %s put %q: %w", n.title, key, err)
		}
		return nil
	}
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv %s put %q: %w", n.title, key, err)
	}
	return nil
}

// PutUntil writes value under key and lets it expire at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(string(value)),
			Expiration: cloudflare.F(float64(at.Unix())),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv %s put %q: %w", n.title, key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv %s delete %q: %w", n.title, key, err)
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
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
		return Page{}, fmt.Errorf("kv %s list %q: %w", n.title, prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// MaxBulkPairs is the largest bulk write the API accepts.
const MaxBulkPairs = 10_000

// PutMany writes entries with the bulk endpoint, MaxBulkPairs at a time.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		if _, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kv %s bulk put [%d:%d]: %w", n.title, start, end, err)
		}
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint. The v3 params carry no
// body, so the key list is attached as the raw request body.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(keys))
		if _, err := n.client.KV.Namespaces.Bulk.Delete(ctx, n.id, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.accountID),
		}, option.WithRequestBody("application/json", keys[start:end])); err != nil {
			return fmt.Errorf("kv %s bulk delete: %w", n.title, err)
		}
	}
	return nil
}

// Update applies fn to the current value of key and stores the result.
// A missing key is passed to fn as nil.
func (n *Namespace) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, next, ttl) // EXPECT kvrace
}
