// Package edge wraps the cloudflare-go v6 KV client for the services that
// publish data to the edge (surge zones, partner credentials).
package edge

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
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrMissing reports a key that does not exist.
var ErrMissing = errors.New("edge: no such key")

// Namespace addresses one KV namespace in one account.
type Namespace struct {
	svc       *kv.NamespaceService
	accountID string
	id        string
}

// Open returns a Namespace bound to client.
func Open(client *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{svc: client.KV.Namespaces, accountID: accountID, id: namespaceID}
}

// Service returns the raw namespace service with the account and namespace
// identifiers, for callers that page keys or write in bulk directly.
func (n *Namespace) Service() (*kv.NamespaceService, string, string) {
	return n.svc, n.accountID, n.id
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Raw returns the bytes under key; ok is false when the key is missing.
func (n *Namespace) Raw(ctx context.Context, key string) (value []byte, ok bool, err error) {
	res, err := n.svc.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		if isNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("edge get %q: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// Into decodes the JSON value under key into dst. A missing key yields an
// error wrapping ErrMissing.
func (n *Namespace) Into(ctx context.Context, key string, dst any) error {
	res, err := n.svc.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("edge get %q: %w", key, ErrMissing)
		}
		return fmt.Errorf("edge get %q: %w", key, err)
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(dst)
}

// Put writes value under key. ttlSeconds of zero stores without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	if _, err := n.svc.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("edge put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it with the given lifetime.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, b, int(ttl/time.Second))
}

// PutWithMeta writes value and attaches metadata that list calls return.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttlSeconds int) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	_, err := n.svc.Values.Update(ctx, n.id, key, params)
	return err
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.svc.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("edge delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys and the cursor for the next one.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.svc.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Pager returns an auto-pager over keys under prefix.
func (n *Namespace) Pager(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.svc.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
}

// Bulk writes entries in one request.
func (n *Namespace) Bulk(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := n.svc.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      entries,
	})
	return err
}
