package kvstore

import (
	"context"
	"errors"
	"io"
	"net/http"

	cf "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
	"github.com/samber/lo"
)

// V3 is the Store backed by the generated v3 client used by the API service.
type V3 struct {
	client    *cf.Client
	accountID string
	namespace string
}

var _ Store = (*V3)(nil)

// NewV3 builds a V3 store for one namespace.
func NewV3(token, accountID, namespaceID string) *V3 {
	return &V3{
		client:    cf.NewClient(option.WithAPIToken(token), option.WithMaxRetries(2)),
		accountID: accountID,
		namespace: namespaceID,
	}
}

// Client exposes the raw client and identifiers.
func (s *V3) Client() (*cf.Client, string, string) { return s.client, s.accountID, s.namespace }

func (s *V3) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cf.F(s.accountID)})
	if err != nil {
		var apiErr *cf.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *V3) Put(ctx context.Context, e Entry) error {
	body := kv.NamespaceBulkUpdateParamsBody{Key: cf.F(e.Key), Value: cf.F(string(e.Value))}
	if e.TTL > 0 {
		body.ExpirationTTL = cf.F(float64(e.TTL))
	}
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cf.F(s.accountID),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}

func (s *V3) PutMany(ctx context.Context, es []Entry) error {
	for _, chunk := range lo.Chunk(es, 5_000) {
		body := lo.Map(chunk, func(e Entry, _ int) kv.NamespaceBulkUpdateParamsBody {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cf.F(e.Key), Value: cf.F(string(e.Value))}
			if e.TTL > 0 {
				b.ExpirationTTL = cf.F(float64(e.TTL))
			}
			return b
		})
		if _, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cf.F(s.accountID),
			Body:      body,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *V3) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{AccountID: cf.F(s.accountID)})
	return err
}

func (s *V3) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cf.F(s.accountID), Prefix: cf.F(prefix)}
	if cursor != "" {
		params.Cursor = cf.F(cursor)
	}
	if limit > 0 {
		params.Limit = cf.F(float64(limit))
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return Page{}, err
	}
	return Page{
		Keys:     lo.Map(page.Result, func(k kv.Key, _ int) string { return k.Name }),
		Cursor:   page.ResultInfo.Cursor,
		Complete: page.ResultInfo.Cursor == "",
	}, nil
}
