// Package cfkv is the backend's adapter to Workers KV over the Cloudflare
// REST API, plus the operator tasks that talk to the API directly.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/juniper/internal/config"
	"example.com/juniper/internal/store"
)

// maxValue is KV's value size limit.
const maxValue = 25 << 20

type kvStore struct {
	api       *kv.NamespaceService
	account   string
	namespace string
}

var _ store.Raw = (*kvStore)(nil)

// NewClient builds an API client from the KV section of the configuration.
func NewClient(c config.KVConfig, opts ...option.RequestOption) *cloudflare.Client {
	opts = append([]option.RequestOption{option.WithAPIToken(c.APIToken)}, opts...)
	return cloudflare.NewClient(opts...)
}

// NewStore returns a store.Raw for one namespace.
func NewStore(client *cloudflare.Client, c config.KVConfig) store.Raw {
	return &kvStore{api: client.KV.Namespaces, account: c.AccountID, namespace: c.NamespaceID}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *kvStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := s.api.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxValue+1))
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func (s *kvStore) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	if len(value) > maxValue {
		return fmt.Errorf("cfkv: value for %s is %d bytes", key, len(value))
	}
	o := store.Apply(opts)
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
	}
	if ttl := o.Seconds(); ttl > 0 {
		p.ExpirationTTL = cloudflare.F(float64(ttl))
	} else if exp := o.Unix(); exp > 0 {
		p.Expiration = cloudflare.F(float64(exp))
	}
	if o.Metadata != nil {
		p.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := s.api.Values.Update(ctx, s.namespace, key, p); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (s *kvStore) Delete(ctx context.Context, key string) error {
	_, err := s.api.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List returns one page and its cursor; callers decide how far to go.
func (s *kvStore) List(ctx context.Context, q store.ListQuery) (store.Page, error) {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)}
	if q.Prefix != "" {
		p.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		p.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		p.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := s.api.Keys.List(ctx, s.namespace, p)
	if err != nil {
		return store.Page{}, fmt.Errorf("cfkv: list %q: %w", q.Prefix, err)
	}
	page := store.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		md, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, store.Key{Name: k.Name, Expiration: int64(k.Expiration), Metadata: md})
	}
	return page, nil
}
