// Package restkv talks to Workers KV from the backend through the
// Cloudflare API.
package restkv

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("restkv: key not found")

// Namespace is one KV namespace in one account.
type Namespace struct {
	Client  *cloudflare.Client
	Account string
	ID      string
}

// New builds a Namespace from an API token.
func New(token, account, id string) Namespace {
	return Namespace{Client: cloudflare.NewClient(option.WithAPIToken(token)), Account: account, ID: id}
}

// Get returns the raw value of key.
func (n Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.Account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key with an optional TTL; zero means no expiry.
func (n Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.Account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	}, opts...)
	return err
}

// PutAt writes value under key to expire at the absolute unix time exp.
func (n Namespace) PutAt(ctx context.Context, key string, value []byte, exp int64) error {
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.Account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	}, option.WithQuery("expiration", strconv.FormatInt(exp, 10)))
	return err
}

// Delete removes key.
func (n Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.Account)})
	return err
}

// BulkPut writes up to 10,000 pairs in one request.
func (n Namespace) BulkPut(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := n.Client.KV.Namespaces.Bulk.Update(ctx, n.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.Account),
		Body:      body,
	})
	return err
}

// BulkDelete removes up to 10,000 keys in one request.
func (n Namespace) BulkDelete(ctx context.Context, keys []string) error {
	_, err := n.Client.KV.Namespaces.Bulk.Delete(ctx, n.ID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.Account)},
		option.WithRequestBody("application/json", keys))
	return err
}

// Pages yields the keys under prefix a page at a time, at most maxPages
// pages. The second value is the cursor to resume from after that page.
func (n Namespace) Pages(ctx context.Context, prefix string, maxPages int) iter.Seq2[[]kv.Key, error] {
	return func(yield func([]kv.Key, error) bool) {
		cursor := ""
		for range maxPages {
			params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.Account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
			if cursor != "" {
				params.Cursor = cloudflare.F(cursor)
			}
			page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page.Result, nil) {
				return
			}
			cursor = page.ResultInfo.Cursor
			if cursor == "" {
				return
			}
		}
	}
}

// Page returns one page of keys and the cursor for the next, empty when done.
func (n Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.Account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(float64(limit))}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
