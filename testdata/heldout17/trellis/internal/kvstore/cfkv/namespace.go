// Package cfkv adapts a Workers KV namespace, via the Cloudflare REST API, to the kvstore port.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/trellis/internal/kvstore"
)

// Namespace is a kvstore.Store backed by one Workers KV namespace.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	once      sync.Once
	ready     error
}

var (
	_ kvstore.Lister     = (*Namespace)(nil)
	_ kvstore.BulkWriter = (*Namespace)(nil)
)

func New(client *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{client: client, accountID: accountID, id: namespaceID}
}

func NewFromToken(token, accountID, namespaceID string) *Namespace {
	return New(NewClient(token), accountID, namespaceID)
}

// init checks, once, that the namespace exists.
func (n *Namespace) init(ctx context.Context) error {
	n.once.Do(func() {
		_, err := n.client.KV.Namespaces.Get(ctx, n.id, kv.NamespaceGetParams{AccountID: cloudflare.F(n.accountID)})
		if err != nil {
			n.ready = fmt.Errorf("cfkv: namespace %s: %w", n.id, err)
		}
	})
	return n.ready
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	if err := n.init(ctx); err != nil {
		return nil, err
	}
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return nil, translate(err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	if err := n.init(ctx); err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(n.accountID), Value: cloudflare.F(string(value))}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	case !opts.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F(opts.Metadata)
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params)
	return translate(err)
}

// Delete implements kvstore.Writer. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	if err := n.init(ctx); err != nil {
		return err
	}
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err = translate(err); kvstore.IsNotFound(err) {
		return nil
	}
	return err
}

// List implements kvstore.Lister. It returns a single page.
func (n *Namespace) List(ctx context.Context, opts kvstore.ListOptions) (kvstore.Page, error) {
	if err := n.init(ctx); err != nil {
		return kvstore.Page{}, err
	}
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID), Prefix: cloudflare.F(opts.Prefix)}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return kvstore.Page{}, translate(err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Metadata: k.Metadata}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// PutMany implements kvstore.BulkWriter with a single bulk request.
func (n *Namespace) PutMany(ctx context.Context, pairs []kvstore.Pair) ([]string, error) {
	if err := n.init(ctx); err != nil {
		return nil, err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(string(p.Value))}
		switch {
		case p.Opts.TTL > 0:
			item.ExpirationTTL = cloudflare.F(p.Opts.TTL.Seconds())
		case !p.Opts.ExpireAt.IsZero():
			item.Expiration = cloudflare.F(float64(p.Opts.ExpireAt.Unix()))
		}
		if p.Opts.Metadata != nil {
			item.Metadata = cloudflare.F(p.Opts.Metadata)
		}
		body = append(body, item)
	}
	res, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return nil, translate(err)
	}
	return res.UnsuccessfulKeys, nil
}

// GetMany reads text values in requests of at most 100 keys. Missing keys are absent from the result.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := n.init(ctx); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += 100 {
		res, err := n.client.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.accountID),
			Keys:      cloudflare.F(keys[start:min(start+100, len(keys))]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, translate(err)
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

func translate(err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %v", kvstore.ErrNotFound, err)
	}
	return err
}
