// Package cfv6 adapts the cloudflare-go v6 KV service to storage.Raw.
package cfv6

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/osprey/internal/storage"
)

type kvStore struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

var _ storage.Raw = (*kvStore)(nil)

// New returns a storage.Raw backed by the given namespace.
func New(client *cloudflare.Client, accountID, namespaceID string) storage.Raw {
	return &kvStore{client: client, accountID: accountID, namespaceID: namespaceID}
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *kvStore) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsNotFound(err) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *kvStore) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
	return err
}

func (s *kvStore) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

func (s *kvStore) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
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
		ki := storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if k.Metadata != nil {
			if b, err := json.Marshal(k.Metadata); err == nil {
				ki.Metadata = b
			}
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

// NewClient builds the SDK client from an API token.
func NewClient(token string, timeout time.Duration) *cloudflare.Client {
	return cloudflare.NewClient(
		optionToken(token),
		optionTimeout(timeout),
	)
}
