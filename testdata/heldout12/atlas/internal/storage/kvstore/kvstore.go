// Package kvstore implements storage.Store on Workers KV through the
// Cloudflare v3 REST client.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/storage"
)

// Store is a storage.Store backed by one KV namespace.
type Store struct {
	ns cfkv.Namespace
}

var (
	_ storage.Store      = (*Store)(nil)
	_ storage.MetaWriter = (*Store)(nil)
)

// Provide returns the adapter for ns as the storage port.
func Provide(ns cfkv.Namespace) (storage.Store, error) {
	if ns.Client == nil || ns.ID == "" {
		return nil, fmt.Errorf("kvstore: namespace %q is not configured", ns.Title)
	}
	return &Store{ns: ns}, nil
}

func (s *Store) account() string { return s.ns.AccountID }

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account()),
	})
	if err != nil {
		if cfkv.IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMetadata(ctx, key, value, nil, ttl)
}

// PutWithMetadata writes value with optional metadata and expiry. The v3
// single-value endpoint takes no expiration fields, so writes that expire go
// through the bulk endpoint with a single pair.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	if ttl <= 0 {
		metaJSON := "{}"
		if meta != nil {
			b, err := json.Marshal(meta)
			if err != nil {
				return fmt.Errorf("kvstore: metadata for %s: %w", key, err)
			}
			metaJSON = string(b)
		}
		_, err := s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.account()),
			Value:     cloudflare.F(string(value)),
			Metadata:  cloudflare.F(metaJSON),
		})
		if err != nil {
			return fmt.Errorf("kvstore: put %s: %w", key, err)
		}
		return nil
	}
	pair := kv.NamespaceBulkUpdateParamsBody{
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(math.Ceil(ttl.Seconds())),
	}
	if meta != nil {
		pair.Metadata = cloudflare.F(meta)
	}
	_, err := s.ns.Client.KV.Namespaces.Bulk.Update(ctx, s.ns.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account()),
		Body:      []kv.NamespaceBulkUpdateParamsBody{pair},
	})
	if err != nil {
		return fmt.Errorf("kvstore: put %s: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Client.KV.Namespaces.Values.Delete(ctx, s.ns.ID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account()),
	})
	if err != nil && !cfkv.IsNotFound(err) {
		return fmt.Errorf("kvstore: delete %s: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account()),
		Limit:     cloudflare.F(float64(limit)),
	}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.ns.Client.KV.Namespaces.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", prefix, err)
	}
	out := storage.Page{Cursor: page.ResultInfo.Cursor, Keys: make([]storage.KeyInfo, 0, len(page.Result))}
	for _, k := range page.Result {
		ki := storage.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		out.Keys = append(out.Keys, ki)
	}
	return out, nil
}
