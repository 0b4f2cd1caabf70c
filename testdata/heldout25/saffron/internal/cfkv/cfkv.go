// Package cfkv adapts the Cloudflare REST API (cloudflare-go v3) to the
// storage ports for the backend services.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/saffron/internal/storage"
)

// Store is storage.Blob plus the bulk write the REST API offers.
type Store interface {
	storage.Blob
	PutMany(ctx context.Context, b storage.Batch) error
}

// Option configures the adapter.
type Option func(*restStore)

// WithPageSize sets the default page size for List when callers pass 0.
func WithPageSize(n int) Option { return func(s *restStore) { s.pageSize = n } }

// WithChunk sets how many pairs go into one bulk request.
func WithChunk(n int) Option { return func(s *restStore) { s.chunk = n } }

type restStore struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	pageSize    int
	chunk       int
}

var _ Store = (*restStore)(nil)

// New returns a Store for one namespace.
func New(client *cloudflare.Client, accountID, namespaceID string, opts ...Option) Store {
	s := &restStore{client: client, accountID: accountID, namespaceID: namespaceID, pageSize: 1000, chunk: 5000}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *restStore) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *restStore) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	cfg := storage.Resolve(opts)
	if cfg.TTL > 0 || !cfg.ExpireAt.IsZero() {
		return s.bulk(ctx, []kv.NamespaceBulkUpdateParamsBody{s.body(key, value, cfg)})
	}
	meta := "{}"
	if cfg.Metadata != nil {
		b, err := json.Marshal(cfg.Metadata)
		if err != nil {
			return err
		}
		meta = string(b)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

func (s *restStore) body(key string, value []byte, cfg storage.PutConfig) kv.NamespaceBulkUpdateParamsBody {
	b := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(value)),
	}
	if cfg.TTL > 0 {
		b.ExpirationTTL = cloudflare.F(cfg.TTL.Seconds())
	} else if !cfg.ExpireAt.IsZero() {
		b.Expiration = cloudflare.F(float64(cfg.ExpireAt.Unix()))
	}
	if m, ok := cfg.Metadata.(map[string]interface{}); ok {
		b.Metadata = cloudflare.F(m)
	}
	return b
}

func (s *restStore) bulk(ctx context.Context, bodies []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      bodies,
	})
	return err
}

// PutMany writes b in chunks of at most s.chunk pairs.
func (s *restStore) PutMany(ctx context.Context, b storage.Batch) error {
	b = b.Dedupe()
	for start := 0; start < len(b); start += s.chunk {
		end := min(start+s.chunk, len(b))
		bodies := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range b[start:end] {
			body := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				body.ExpirationTTL = cloudflare.F(float64(e.TTL)) // EXPECT kvttl
			}
			bodies = append(bodies, body)
		}
		if err := s.bulk(ctx, bodies); err != nil {
			return fmt.Errorf("bulk %d-%d: %w", start, end, err)
		}
	}
	return nil
}

func (s *restStore) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

func (s *restStore) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	if limit == 0 {
		limit = s.pageSize
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return storage.Page{}, err
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}
