// Package kvstore adapts one Workers KV namespace, reached over the
// Cloudflare REST API, to the small storage interface that the generated
// data layer (internal/db) and the entity client (internal/ent) expect.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"

	"hihi/internal/db"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = db.ErrNoRows

// Namespace is one KV namespace in one account.
type Namespace struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// Open returns a Namespace authenticated with an API token.
func Open(apiToken, accountID, namespaceID string) *Namespace {
	return &Namespace{
		client:      cloudflare.NewClient(option.WithAPIToken(apiToken)),
		accountID:   accountID,
		namespaceID: namespaceID,
	}
}

// Client exposes the underlying SDK client for callers that need an API the
// adapter does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace belongs to.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace identifier.
func (n *Namespace) ID() string { return n.namespaceID }

// Get reads the value stored under key. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.namespaceID, key, kv.NamespaceValueGetParams{
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

// Put stores value under key. ttlSeconds of zero means the key never expires.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutFor stores value under key for the given lifetime. Lifetimes shorter
// than the KV minimum are raised to one minute.
func (n *Namespace) PutFor(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, int(ttl.Seconds()))
}

// PutUntil stores value under key until the absolute expiration, given in
// seconds since the epoch.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, expiresAt int64) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(expiresAt)),
	})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	return err
}

// List returns one page of key names under prefix and the cursor of the next
// page, which is empty on the last page.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.client.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Pager returns the SDK's auto-pager over every key under prefix.
func (n *Namespace) Pager(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.client.KV.Namespaces.Keys.ListAutoPaging(ctx, n.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// Metadata returns the metadata stored beside key.
func (n *Namespace) Metadata(ctx context.Context, key string) (any, error) {
	res, err := n.client.KV.Namespaces.Metadata.Get(ctx, n.namespaceID, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return nil, err
	}
	return *res, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key        string
	Value      string
	TTLSeconds int
	Metadata   any
}

// BulkPut writes entries in a single bulk request.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) (failed []string, err error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTLSeconds > 0 {
			b.ExpirationTTL = cloudflare.F(float64(e.TTLSeconds))
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return nil, err
	}
	return res.UnsuccessfulKeys, nil
}

// BulkGet reads up to 100 text values at once. Missing keys are absent from
// the result.
func (n *Namespace) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := n.client.KV.Namespaces.BulkGet(ctx, n.namespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	if vals, ok := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion); ok {
		for k, v := range vals {
			if s, ok := v.(interface{ String() string }); ok && v != nil {
				out[k] = s.String()
			}
		}
	}
	return out, nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	_, err := n.client.KV.Namespaces.BulkDelete(ctx, n.namespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      keys,
	})
	return err
}

var (
	_ db.DBTX = (*Namespace)(nil)
	_ db.DBTX = (*Batch)(nil)
)
