// Package kvstore adapts the Cloudflare REST API for Workers KV to the small
// surface the backend needs: byte values addressed by string keys, optional
// lifetimes, prefix listing and bulk writes.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Config names a namespace in a Cloudflare account.
type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
}

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// NewClient builds the SDK client shared by every namespace.
func NewClient(cfg Config) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(15*time.Second),
	)
}

// Open returns a handle on the namespace named by cfg.
func Open(client *cloudflare.Client, cfg Config) *Namespace {
	return &Namespace{client: client, accountID: cfg.AccountID, id: cfg.NamespaceID}
}

// Client exposes the SDK client for the few callers that need raw access.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace belongs to.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace ID.
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

// GetJSON reads a value and decodes it into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes a value. A zero ttl stores the value without an expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutCached writes a derived value that can always be rebuilt. Cache entries
// live at least a minute so that short-lived computations do not churn.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutSeconds writes a value that expires after secs seconds.
func (n *Namespace) PutSeconds(ctx context.Context, key string, value []byte, secs int) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(n.accountID),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(float64(secs)),
	})
	return err
}

// PutWithMeta writes a value together with list metadata.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, params)
	return err
}

// Delete removes a key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// Page lists one page of keys under prefix and returns the cursor for the
// next page, or "" when there is none.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
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
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// ErrBudget is returned by Keys when the prefix holds more keys than the
// caller allowed.
var ErrBudget = errors.New("kvstore: key budget exhausted")

// Keys lists at most budget keys under prefix using the SDK's auto-pager.
func (n *Namespace) Keys(ctx context.Context, prefix string, budget int) ([]kv.Key, error) {
	iter := n.client.KV.Namespaces.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	var out []kv.Key
	for iter.Next() {
		if len(out) == budget {
			return out, ErrBudget
		}
		out = append(out, iter.Current())
	}
	return out, iter.Err()
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  any
}

// MaxBulk is the largest number of pairs the bulk endpoint accepts.
const MaxBulk = 10000

// BulkPut writes entries in requests of at most MaxBulk pairs.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		if err := n.bulkPut(ctx, entries[start:end]); err != nil {
			return err
		}
	}
	return nil
}

func (n *Namespace) bulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
		}
		if e.Meta != nil {
			b.Metadata = cloudflare.F[any](e.Meta)
		}
		body = append(body, b)
	}
	res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kv bulk put: %d keys not written", len(res.UnsuccessfulKeys))
	}
	return nil
}

// BulkDelete removes keys in requests of at most MaxBulk keys.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := n.client.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Meta returns the metadata stored with key.
func (n *Namespace) Meta(ctx context.Context, key string) (map[string]any, error) {
	res, err := n.client.KV.Namespaces.Metadata.Get(ctx, n.id, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return nil, err
	}
	m, _ := (*res).(map[string]any)
	return m, nil
}
