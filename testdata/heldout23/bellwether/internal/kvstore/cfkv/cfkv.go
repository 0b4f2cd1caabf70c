// Package cfkv adapts a Workers KV namespace, reached through the Cloudflare
// REST API, to the kvstore port.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/bellwether/internal/kvstore"
)

// Settings configure a Namespace.
type Settings struct {
	AccountID   string
	NamespaceID string
	// PageSize is the list page size (REST accepts 10..1000).
	PageSize int
}

// WithAccount sets the account and namespace.
func WithAccount(accountID, namespaceID string) kvstore.Option[Settings] {
	return func(s *Settings) {
		s.AccountID = accountID
		s.NamespaceID = namespaceID
	}
}

// WithPageSize sets the list page size, clamped to what the API accepts.
func WithPageSize(n int) kvstore.Option[Settings] {
	return func(s *Settings) {
		s.PageSize = min(max(n, 10), kvstore.MaxListPage)
	}
}

// Namespace is a kvstore.Store backed by one KV namespace.
type Namespace struct {
	ns  *kv.NamespaceService
	set Settings
}

// New returns a Namespace using client.
func New(client *cloudflare.Client, opts ...kvstore.Option[Settings]) (*Namespace, error) {
	set := kvstore.Apply(Settings{PageSize: kvstore.MaxListPage}, opts...)
	if set.AccountID == "" || set.NamespaceID == "" {
		return nil, errors.New("cfkv: account and namespace are required")
	}
	return &Namespace{ns: client.KV.Namespaces, set: set}, nil
}

// Get reads key, mapping a 404 to kvstore.ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.ns.Values.Get(ctx, n.set.NamespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.set.AccountID)})
	if err != nil {
		if isNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes key. TTLs are passed through unchanged, in whole seconds.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Apply(kvstore.PutOptions{}, opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.set.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if len(o.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := n.ns.Values.Update(ctx, n.set.NamespaceID, key, params); err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes key with a relative expiry.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.Put(ctx, key, value, kvstore.WithTTL(ttl))
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.ns.Values.Delete(ctx, n.set.NamespaceID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.set.AccountID)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix, starting at cursor.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	if limit <= 0 || limit > kvstore.MaxListPage {
		limit = n.set.PageSize
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.set.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(max(limit, 10))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.ns.Keys.List(ctx, n.set.NamespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursors.After}
	page.Complete = page.Cursor == ""
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// Keys pages through every key under prefix for as long as the caller keeps
// ranging and ctx is live. Callers decide how far to go.
func (n *Namespace) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			page, err := n.Page(ctx, prefix, cursor, n.set.PageSize)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if page.Complete {
				return
			}
			cursor = page.Cursor
		}
	}
}

// GetMany reads up to kvstore.MaxBulkGet text values in one call. Keys that
// do not exist are left out of the result.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if len(keys) > kvstore.MaxBulkGet {
		return nil, fmt.Errorf("cfkv: bulk get of %d keys exceeds %d", len(keys), kvstore.MaxBulkGet)
	}
	res, err := n.ns.BulkGet(ctx, n.set.NamespaceID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(n.set.AccountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("cfkv: bulk get: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = []byte(s)
			}
		}
	}
	return out, nil
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
