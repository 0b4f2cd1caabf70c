// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for Workers KV. Every backend package talks to KV through a Namespace.
package kvstore

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
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	name      string
}

// Open builds a Namespace. name is only used in error messages and logs.
func Open(client *cloudflare.Client, accountID, namespaceID, name string) *Namespace {
	return &Namespace{client: client, accountID: accountID, id: namespaceID, name: name}
}

// NewClient returns a Cloudflare API client with the service's retry policy.
func NewClient(apiToken string) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(10*time.Second),
	)
}

// Name returns the namespace's logical name.
func (n *Namespace) Name() string { return n.name }

// Client exposes the SDK client for callers that need a call the adapter lacks.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// ID returns the namespace id.
func (n *Namespace) ID() string { return n.id }

// AccountID returns the Cloudflare account that owns the namespace.
func (n *Namespace) AccountID() string { return n.accountID }

// Get reads the raw value stored at key. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.name, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value at key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.name, key, err)
	}
	return nil
}

// PutUntil writes value at key and lets it expire at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.name, key, err)
	}
	return nil
}

// PutCache writes a cache entry. Cache lifetimes are never shorter than the
// minimum KV accepts, whatever the caller asks for.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("kv %s: delete %q: %w", n.name, key, err)
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
		return Page{}, fmt.Errorf("kv %s: list %q: %w", n.name, prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes entries in one request and returns the keys KV did not store.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) ([]string, error) {
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
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return nil, fmt.Errorf("kv %s: bulk put: %w", n.name, err)
	}
	return res.UnsuccessfulKeys, nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	_, err := n.client.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      keys,
	})
	if err != nil {
		return fmt.Errorf("kv %s: bulk delete: %w", n.name, err)
	}
	return nil
}

func isStatus(err error, code int) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == code
}
