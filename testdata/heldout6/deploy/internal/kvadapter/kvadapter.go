// Package kvadapter implements store.Store on the Workers KV REST API via
// cloudflare-go.
package kvadapter

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/deploy/internal/store"
)

// maxBulk is the largest number of pairs the bulk endpoint accepts.
const maxBulk = 10000

// Adapter is a store.Store backed by one KV namespace.
type Adapter struct {
	api       *cloudflare.API
	rc        *cloudflare.ResourceContainer
	namespace string
}

var _ store.Store = (*Adapter)(nil)

// New returns an adapter for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Adapter {
	return &Adapter{api: api, rc: cloudflare.AccountIdentifier(accountID), namespace: namespaceID}
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{NamespaceID: a.namespace, Key: key})
	if err != nil {
		return nil, translate(err, key)
	}
	return v, nil
}

// Put writes one value. Plain writes use the single-value endpoint; writes
// with expiry or metadata go through the bulk endpoint, the only one in this
// client that carries those fields.
func (a *Adapter) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	if o.TTL == 0 && o.ExpireAt.IsZero() && len(o.Metadata) == 0 {
		_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: a.namespace, Key: key, Value: value,
		})
		return translate(err, key)
	}
	e := store.Entry{Key: key, Value: value, Metadata: o.Metadata}
	if o.TTL > 0 {
		e.TTLSeconds = int(o.TTL / time.Second)
	}
	if !o.ExpireAt.IsZero() {
		e.ExpiresAt = o.ExpireAt.Unix()
	}
	return a.PutMany(ctx, []store.Entry{e})
}

// PutMany writes entries in chunks the bulk endpoint accepts.
func (a *Adapter) PutMany(ctx context.Context, entries []store.Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		chunk := entries[start:min(start+maxBulk, len(entries))]
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(chunk))
		for _, e := range chunk {
			p := &cloudflare.WorkersKVPair{
				Key:           e.Key,
				Value:         base64.StdEncoding.EncodeToString(e.Value),
				Base64:        true,
				Expiration:    int(e.ExpiresAt),
				ExpirationTTL: e.TTLSeconds,
			}
			if len(e.Metadata) > 0 {
				p.Metadata = e.Metadata
			}
			pairs = append(pairs, p)
		}
		_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: a.namespace, KVs: pairs,
		})
		if err != nil {
			return fmt.Errorf("kv bulk write (%d pairs): %w", len(pairs), err)
		}
	}
	return nil
}

// Delete removes one key. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.api.DeleteWorkersKVEntry(ctx, a.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: a.namespace, Key: key})
	if err = translate(err, key); store.IsNotFound(err) {
		return nil
	}
	return err
}

// List returns one page of keys.
func (a *Adapter) List(ctx context.Context, req store.ListRequest) (store.Page, error) {
	resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: a.namespace, Prefix: req.Prefix, Cursor: req.Cursor, Limit: req.Limit,
	})
	if err != nil {
		return store.Page{}, fmt.Errorf("kv list %q: %w", req.Prefix, err)
	}
	page := store.Page{Keys: make([]store.KeyInfo, 0, len(resp.Result)), Cursor: resp.ResultInfo.Cursor}
	for _, k := range resp.Result {
		md, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, store.KeyInfo{Name: k.Name, ExpiresAt: int64(k.Expiration), Metadata: md})
	}
	return page, nil
}

func translate(err error, key string) error {
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		return fmt.Errorf("%s: %w", key, store.ErrNotFound)
	}
	return fmt.Errorf("kv %s: %w", key, err)
}
