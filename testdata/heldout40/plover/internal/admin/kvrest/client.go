// Package kvrest is the admin tooling's access to Workers KV over the
// Cloudflare REST API.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// Client reads and writes one namespace.
type Client interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte, ttl time.Duration) error
	PutWithMeta(ctx context.Context, key string, val []byte, meta any) error
	Delete(ctx context.Context, key string) error
	Page(ctx context.Context, prefix, cursor string) (names []string, next string, err error)
	Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key]
	Begin() *Tx
	API() (*cloudflare.Client, string, string)
}

type restClient struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

// New returns a Client for namespace in account, authenticated by token.
func New(token, account, namespace string) Client {
	api := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &restClient{api: api, account: account, namespace: namespace}
}

func (c *restClient) API() (*cloudflare.Client, string, string) {
	return c.api, c.account, c.namespace
}

func (c *restClient) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvrest: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (c *restClient) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, key, params); err != nil {
		return fmt.Errorf("kvrest: put %s: %w", key, err)
	}
	return nil
}

func (c *restClient) PutWithMeta(ctx context.Context, key string, val []byte, meta any) error {
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

func (c *restClient) Delete(ctx context.Context, key string) error {
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	return err
}

// Page returns one page of key names and the cursor of the next page, ""
// when there is none.
func (c *restClient) Page(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Keys returns an iterator over every key under prefix.
func (c *restClient) Keys(ctx context.Context, prefix string) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
	})
}
