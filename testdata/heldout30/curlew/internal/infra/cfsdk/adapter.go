// Package cfsdk talks to Workers KV through cloudflare-go v5: the kv.Store
// adapter of the main and POD namespaces and stores that use the client directly.
package cfsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	cfkv "github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/curlew/internal/kv"
)

// Namespace binds a client to an account and namespace; pass it by value.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// NewClient returns a v5 client authenticated with an API token.
func NewClient(token string) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(token))
}

// NewNamespace returns the handle for namespaceID.
func NewNamespace(c *cloudflare.Client, accountID, namespaceID string) Namespace {
	return Namespace{client: c, accountID: accountID, id: namespaceID}
}

func (n Namespace) values() *cfkv.NamespaceValueService { return n.client.KV.Namespaces.Values }

func (n Namespace) account() cfkv.NamespaceValueGetParams {
	return cfkv.NamespaceValueGetParams{AccountID: cloudflare.F(n.accountID)}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// readValue fetches key and returns its body, translating a 404 to kv.ErrNotFound.
func (n Namespace) readValue(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.values().Get(ctx, n.id, key, n.account())
	if isNotFound(err) {
		return nil, kv.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Adapter implements kv.Store on one namespace; wrap it with observe.Wrap.
type Adapter struct {
	ns Namespace
}

// NewAdapter returns the kv.Store for ns.
func NewAdapter(ns Namespace) *Adapter { return &Adapter{ns: ns} }

var (
	_ kv.Store      = (*Adapter)(nil)
	_ kv.BulkWriter = (*Adapter)(nil)
)

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	return a.ns.readValue(ctx, key)
}

func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...kv.PutOption) error {
	o := kv.Resolve(opts)
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.ns.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(o.TTLSeconds()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F(o.Metadata)
	}
	_, err := a.ns.values().Update(ctx, a.ns.id, key, params)
	return err
}

// PutMany implements kv.BulkWriter with one request for all entries.
func (a *Adapter) PutMany(ctx context.Context, entries []kv.Entry) error {
	body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		item := cfkv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(string(e.Value))}
		if e.TTL > 0 {
			item.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			item.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, item)
	}
	_, err := a.ns.client.KV.Namespaces.BulkUpdate(ctx, a.ns.id, cfkv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(a.ns.accountID), Body: body})
	return err
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.ns.values().Delete(ctx, a.ns.id, key, cfkv.NamespaceValueDeleteParams{AccountID: cloudflare.F(a.ns.accountID)})
	return err
}

func (a *Adapter) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	params := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(a.ns.accountID)}
	if p.Prefix != "" {
		params.Prefix = cloudflare.F(p.Prefix)
	}
	if p.Cursor != "" {
		params.Cursor = cloudflare.F(p.Cursor)
	}
	if p.Limit > 0 {
		params.Limit = cloudflare.F(float64(p.Limit))
	}
	res, err := a.ns.client.KV.Namespaces.Keys.List(ctx, a.ns.id, params)
	if err != nil {
		return kv.Page{}, fmt.Errorf("cfsdk: list %q: %w", p.Prefix, err)
	}
	page := kv.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		var meta json.RawMessage
		if k.Metadata != nil {
			meta, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, kv.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: meta})
	}
	return page, nil
}
