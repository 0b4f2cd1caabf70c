// Package cfrest talks to Workers KV through the v0 cloudflare-go client: the
// kv.Store adapter of the partner namespace and a few purpose-built stores.
package cfrest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"

	"example.com/curlew/internal/kv"
)

// Namespace identifies one KV namespace in one account.
type Namespace struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	id  string
}

// NewAPI returns a v0 client authenticated with an API token.
func NewAPI(token string) (*cloudflare.API, error) { return cloudflare.NewWithAPIToken(token) }

// NewNamespace binds api to a namespace.
func NewNamespace(api *cloudflare.API, accountID, namespaceID string) Namespace {
	return Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID}
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
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
	out, err := a.ns.api.GetWorkersKV(ctx, a.ns.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.ns.id, Key: key})
	if isNotFound(err) {
		return nil, kv.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfrest: get %q: %w", key, err)
	}
	return out, nil
}

// Put implements kv.Store. The single-value endpoint of this client takes no
// expiry or metadata, so writes that carry either go through the bulk
// endpoint as a one-pair batch.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...kv.PutOption) error {
	o := kv.Resolve(opts)
	if o.TTL == 0 && o.Metadata == nil {
		_, err := a.ns.api.WriteWorkersKVEntry(ctx, a.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: a.ns.id, Key: key, Value: value})
		return err
	}
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         base64.StdEncoding.EncodeToString(value),
		Base64:        true,
		ExpirationTTL: o.TTLSeconds(),
		Metadata:      o.Metadata,
	}
	_, err := a.ns.api.WriteWorkersKVEntries(ctx, a.ns.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns.id, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// PutMany implements kv.BulkWriter with one request for all entries.
func (a *Adapter) PutMany(ctx context.Context, entries []kv.Entry) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(entries))
	for _, e := range entries {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           e.Key,
			Value:         base64.StdEncoding.EncodeToString(e.Value),
			Base64:        true,
			ExpirationTTL: int(e.TTL.Seconds()),
			Metadata:      e.Metadata,
		})
	}
	_, err := a.ns.api.WriteWorkersKVEntries(ctx, a.ns.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: a.ns.id, KVs: pairs})
	return err
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.ns.api.DeleteWorkersKVEntry(ctx, a.ns.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: a.ns.id, Key: key})
	return err
}

func (a *Adapter) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	resp, err := a.ns.api.ListWorkersKVKeys(ctx, a.ns.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: a.ns.id,
		Prefix:      p.Prefix,
		Cursor:      p.Cursor,
		Limit:       p.Limit,
	})
	if err != nil {
		return kv.Page{}, fmt.Errorf("cfrest: list %q: %w", p.Prefix, err)
	}
	page := kv.Page{Cursor: resp.Cursor, Complete: resp.Cursor == ""}
	for _, k := range resp.Result {
		var meta json.RawMessage
		if k.Metadata != nil {
			meta, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, kv.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: meta})
	}
	return page, nil
}
