// Package cfkv implements kvstore.Store on Workers KV through the Cloudflare
// REST API.
package cfkv

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

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore"
)

// NewClient builds the API client from configuration.
func NewClient(cfg *config.Config) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
}

// Store is one KV namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

var _ kvstore.Store = (*Store)(nil)

func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespace: namespaceID}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, wrap("get", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, o kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case o.TTL > 0:
		params.ExpirationTTL = cloudflare.F(float64(o.TTL / time.Second))
	case o.ExpiresAt > 0:
		params.Expiration = cloudflare.F(float64(o.ExpiresAt))
	}
	if len(o.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, key, params)
	return wrap("put", key, err)
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err = wrap("delete", key, err); kvstore.IsNotFound(err) {
		return nil
	}
	return err
}

func (s *Store) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(q.Limit, 10), 1000)))
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return kvstore.Page{}, wrap("list", q.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if md, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = make(map[string]string, len(md))
			for mk, mv := range md {
				info.Metadata[mk] = fmt.Sprint(mv)
			}
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// wrap converts API errors into the port's error types.
func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return &kvstore.NotFoundError{Key: key}
		case http.StatusTooManyRequests:
			err = fmt.Errorf("%w: %w", kvstore.ErrThrottled, err)
		}
	}
	return &kvstore.OpError{Op: op, Key: key, Err: err}
}
