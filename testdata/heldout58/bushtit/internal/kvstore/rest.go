package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// REST is a Store backed by one KV namespace through the Cloudflare API.
type REST struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

var _ Store = (*REST)(nil)

// NewREST returns a Store for the namespace.
func NewREST(token, accountID, namespace string, opts ...option.RequestOption) *REST {
	opts = append([]option.RequestOption{option.WithAPIToken(token)}, opts...)
	return &REST{
		client:    cloudflare.NewClient(opts...),
		accountID: accountID,
		namespace: namespace,
	}
}

// Client exposes the SDK client for batch jobs that need bulk endpoints.
func (r *REST) Client() *cloudflare.Client { return r.client }

// Get reads one value. A missing key yields ErrNotFound.
func (r *REST) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := r.client.KV.Namespaces.Values.Get(ctx, r.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes one value.
func (r *REST) Put(ctx context.Context, e Entry) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(e.Value)),
	}
	switch {
	case e.TTL > 0:
		params.ExpirationTTL = cloudflare.F(float64(e.TTL))
	case e.Expires > 0:
		params.Expiration = cloudflare.F(float64(e.Expires))
	}
	if _, err := r.client.KV.Namespaces.Values.Update(ctx, r.namespace, e.Key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", e.Key, err)
	}
	return nil
}

// Delete removes one key.
func (r *REST) Delete(ctx context.Context, key string) error {
	_, err := r.client.KV.Namespaces.Values.Delete(ctx, r.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(r.accountID),
	})
	return err
}

// List returns one page of keys under prefix.
func (r *REST) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := r.client.KV.Namespaces.Keys.List(ctx, r.namespace, params)
	if err != nil {
		return Page{}, err
	}
	p := Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		p.Keys = append(p.Keys, k.Name)
	}
	return p, nil
}
