// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for Workers KV (cloudflare-go v6). Services running outside Cloudflare use
// it to publish data that the edge Worker reads through its KV binding.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulkPairs is the largest number of pairs the bulk endpoint accepts.
const MaxBulkPairs = 10_000

// Namespace is one KV namespace addressed through the REST API.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// Config names a namespace and the credentials used to reach it.
type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	Timeout     time.Duration
}

// Open returns a Namespace for cfg.
func Open(cfg Config) *Namespace {
	opts := []option.RequestOption{
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(2),
	}
	if cfg.Timeout > 0 {
		opts = append(opts, option.WithRequestTimeout(cfg.Timeout))
	}
	return &Namespace{
		client:    cloudflare.NewClient(opts...),
		accountID: cfg.AccountID,
		id:        cfg.NamespaceID,
	}
}

// Client exposes the underlying SDK client for callers that need an endpoint
// this adapter does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace belongs to.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.id }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
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

// GetJSON decodes the value under key into v. It reports false when the key
// does not exist.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) (bool, error) {
	raw, err := n.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("kv decode %q: %w", key, err)
	}
	return true, nil
}

// Put stores value under key. A ttl of zero stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key with the given ttl.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return n.Put(ctx, key, b, ttl)
}

// PutCached stores a derived, re-computable value. Cache entries never live
// shorter than the KV minimum, so callers may pass short freshness hints.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value under key so that it expires at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// AppendLine adds one line to a newline-separated log value.
func (n *Namespace) AppendLine(ctx context.Context, key, line string, ttl time.Duration) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return n.Put(ctx, key, append(old, line+"\n"...), ttl) // EXPECT kvrace
}

// Key is a listed key with its expiry and metadata.
type Key = kv.Key

// Page is one page of a key listing.
type Page struct {
	Keys []Key
	// Cursor is empty when there are no more pages.
	Cursor string
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
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursors.After}, nil
}

// BulkDelete removes keys in batches the bulk endpoint accepts.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulkPairs {
		_, err := n.client.KV.Namespaces.Keys.BulkDelete(ctx, n.id, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      keys[start:min(start+MaxBulkPairs, len(keys))],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}
