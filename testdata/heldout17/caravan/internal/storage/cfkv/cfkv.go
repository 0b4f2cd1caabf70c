// Package cfkv implements the storage port on Workers KV through the
// Cloudflare REST API (cloudflare-go v6).
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/caravan/internal/storage"
)

// Config selects the namespace. When NamespaceID is empty the namespace is
// looked up by Title on first use.
type Config struct {
	AccountID, NamespaceID, Title string
}

// Namespace is a storage.Store backed by one KV namespace.
type Namespace struct {
	client *cloudflare.Client
	cfg    Config

	once    sync.Once
	nsID    string
	initErr error
}

// New returns a Namespace. No request is made until the first operation.
func New(client *cloudflare.Client, cfg Config) *Namespace {
	return &Namespace{client: client, cfg: cfg}
}

func (n *Namespace) id(ctx context.Context) (string, error) {
	n.once.Do(func() {
		if n.nsID = n.cfg.NamespaceID; n.nsID != "" {
			return
		}
		pager := n.client.KV.Namespaces.ListAutoPaging(ctx, kv.NamespaceListParams{
			AccountID: cloudflare.F(n.cfg.AccountID),
			PerPage:   cloudflare.F(100.0),
		})
		for pager.Next() {
			if ns := pager.Current(); ns.Title == n.cfg.Title {
				n.nsID = ns.ID
				return
			}
		}
		n.initErr = fmt.Errorf("cfkv: namespace %q not found (%v)", n.cfg.Title, pager.Err())
	})
	return n.nsID, n.initErr
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := n.id(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := n.client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.cfg.AccountID),
	})
	if isNotFound(err) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.PutWithMetadata(ctx, key, value, ttl, nil)
}

func (n *Namespace) PutWithMetadata(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	ns, err := n.id(ctx)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.cfg.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, ns, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	ns, err := n.id(ctx)
	if err != nil {
		return err
	}
	_, err = n.client.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.cfg.AccountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List returns one page; Cursor is empty when the listing is complete.
func (n *Namespace) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	ns, err := n.id(ctx)
	if err != nil {
		return storage.Page{}, err
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.cfg.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursors.After}
	page.Complete = page.Cursor == ""
	for _, k := range res.Result {
		info := storage.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		info.Metadata, _ = k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// PutMany writes items in requests of at most 10,000 pairs.
func (n *Namespace) PutMany(ctx context.Context, items []storage.Item) error {
	ns, err := n.id(ctx)
	if err != nil {
		return err
	}
	for start := 0; start < len(items); start += 10_000 {
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, it := range items[start:min(start+10_000, len(items))] {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(it.Key), Value: cloudflare.F(string(it.Value))}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(it.TTL.Seconds())
			}
			if it.Metadata != nil {
				b.Metadata = cloudflare.F(it.Metadata)
			}
			body = append(body, b)
		}
		res, err := n.client.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.cfg.AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv: bulk put: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfkv: bulk put: %d keys not written", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// GetMany reads keys in requests of at most 100 keys.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	ns, err := n.id(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += 100 {
		res, err := n.client.KV.Namespaces.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.cfg.AccountID),
			Keys:      cloudflare.F(keys[start:min(start+100, len(keys))]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("cfkv: bulk get: %w", err)
		}
		result, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		for k, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = []byte(s)
			}
		}
	}
	return out, nil
}
