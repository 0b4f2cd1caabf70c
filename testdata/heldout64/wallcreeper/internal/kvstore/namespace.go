// Package kvstore is the team's thin adapter over the Cloudflare REST API for
// Workers KV (cloudflare-go v5). The backend services run outside Workers and
// reach KV only through this package.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// ErrNotFound is returned by Get when the key does not exist (REST 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace addresses one KV namespace of one account.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	name      string
}

// Open builds a Namespace from an API token.
func Open(apiToken, accountID, namespaceID, name string) *Namespace {
	c := cloudflare.NewClient(
		option.WithAPIToken(apiToken),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(10*time.Second),
	)
	return &Namespace{client: c, accountID: accountID, id: namespaceID, name: name}
}

// Name is the human name used in logs and metrics.
func (n *Namespace) Name() string { return n.name }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%s: %w", n.name, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value under key into v.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Put stores value under key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	if err != nil {
		return fmt.Errorf("kv put %s/%s: %w", n.name, key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutCached stores a cache entry. Cache entries always live at least a
// minute, which is the shortest expiry KV accepts.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil stores value with an absolute expiry.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutWithMeta stores value together with list metadata.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// List returns one page of keys under prefix, starting at cursor.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %s/%s: %w", n.name, prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Keys exposes the SDK's key service for callers that want the auto-pager.
func (n *Namespace) Keys() (*kv.NamespaceKeyService, string, kv.NamespaceKeyListParams) {
	return n.client.KV.Namespaces.Keys, n.id, kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID)}
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// BulkPut writes up to 10,000 entries in one request.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		body = append(body, b)
	}
	res, err := n.client.KV.Namespaces.Keys.BulkUpdate(ctx, n.id, kv.NamespaceKeyBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kv bulk put %s: %d keys failed", n.name, len(res.UnsuccessfulKeys))
	}
	return nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	_, err := n.client.KV.Namespaces.Keys.BulkDelete(ctx, n.id, kv.NamespaceKeyBulkDeleteParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      keys,
	})
	return err
}

// Metadata returns the metadata stored with key.
func (n *Namespace) Metadata(ctx context.Context, key string) (any, error) {
	res, err := n.client.KV.Namespaces.Metadata.Get(ctx, n.id, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if res == nil {
		return nil, nil
	}
	return *res, nil
}

// Raw exposes the underlying client for the few places that need SDK
// options this adapter does not model.
func (n *Namespace) Raw() (*cloudflare.Client, string, string) {
	return n.client, n.accountID, n.id
}
