// Package cfkv adapts a Workers KV namespace, reached through the
// Cloudflare API SDK, to the storage ports.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/commerce/internal/core/ports"
)

type Store struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespace: namespaceID}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ports.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...ports.PutOption) error {
	o := ports.Resolve(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	switch {
	case o.TTL > 0:
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	case !o.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

func (s *Store) listParams(prefix string) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if prefix != "" {
		p.Prefix = cloudflare.F(prefix)
	}
	return p
}

// List returns a single page; the caller owns the cursor.
func (s *Store) List(ctx context.Context, req ports.ListRequest) (ports.ListPage, error) {
	params := s.listParams(req.Prefix)
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(max(req.Limit, 10)))
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return ports.ListPage{}, fmt.Errorf("cfkv: list %q: %w", req.Prefix, err)
	}
	out := ports.ListPage{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		out.Keys = append(out.Keys, toKeyInfo(k))
	}
	return out, nil
}

// Keys returns every key name under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) ([]string, error) {
	iter := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, s.listParams(prefix)) // EXPECT kvlist
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

func (s *Store) BulkWrite(ctx context.Context, entries []ports.Entry) error {
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceKeyBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(string(e.Value))}
		if e.ExpirationTTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(e.ExpirationTTL))
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F[any](e.Metadata)
		}
		body = append(body, b)
	}
	res, err := s.client.KV.Namespaces.Keys.BulkUpdate(ctx, s.namespace,
		kv.NamespaceKeyBulkUpdateParams{AccountID: cloudflare.F(s.accountID), Body: body})
	if err != nil {
		return fmt.Errorf("cfkv: bulk write: %w", err)
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("cfkv: bulk write: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
	}
	return nil
}

func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	_, err := s.client.KV.Namespaces.Keys.BulkDelete(ctx, s.namespace,
		kv.NamespaceKeyBulkDeleteParams{AccountID: cloudflare.F(s.accountID), Body: keys})
	if err != nil {
		return fmt.Errorf("cfkv: bulk delete: %w", err)
	}
	return nil
}

func toKeyInfo(k kv.Key) ports.KeyInfo {
	m, _ := k.Metadata.(map[string]any)
	return ports.KeyInfo{Name: k.Name, Metadata: m}
}
