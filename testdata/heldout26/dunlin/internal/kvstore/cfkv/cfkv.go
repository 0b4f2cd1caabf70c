// Package cfkv adapts cloudflare-go's Workers KV calls to kvstore.Store.
package cfkv

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/kvstore"
)

// maxBulkPairs is the REST bulk-write ceiling.
const maxBulkPairs = 10_000

// Namespace is one KV namespace reached through the REST API.
type Namespace struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	id       string
	defaults []kvstore.Option
}

var _ kvstore.Store = (*Namespace)(nil)

// New returns a store for namespaceID. The options become the defaults of
// every call made through it (per-call options still win).
func New(api *cloudflare.API, accountID, namespaceID string, opts ...kvstore.Option) *Namespace {
	return &Namespace{
		api:      api,
		rc:       cloudflare.AccountIdentifier(accountID),
		id:       namespaceID,
		defaults: slices.Clone(opts),
	}
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	return b, nil
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	o := kvstore.Resolve(n.defaults, opts...)
	if o.TTL == 0 && o.ExpiresAt.IsZero() && len(o.Metadata) == 0 {
		_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: n.id,
			Key:         key,
			Value:       value,
		})
		if err != nil {
			return fmt.Errorf("cfkv: put %q: %w", key, err)
		}
		return nil
	}
	// The single-value call in this SDK release carries no expiration or
	// metadata, so those writes go through the bulk endpoint with one pair.
	pair := toPair(kvstore.Entry{Key: key, Value: value, TTL: o.TTL, Metadata: o.Metadata}, o)
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	if err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	var nf *cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

func (n *Namespace) List(ctx context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	o := kvstore.Resolve(n.defaults, opts...)
	res, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Limit:       o.Limit,
		Cursor:      o.Cursor,
	})
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	page := kvstore.Page{
		Keys:     make([]kvstore.KeyInfo, 0, len(res.Result)),
		Cursor:   res.ResultInfo.Cursor,
		Complete: res.ResultInfo.Cursor == "",
	}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// PutBatch writes entries in bulk requests of at most maxBulkPairs pairs.
func (n *Namespace) PutBatch(ctx context.Context, entries []kvstore.Entry, opts ...kvstore.Option) error {
	o := kvstore.Resolve(n.defaults, opts...)
	for chunk := range slices.Chunk(entries, maxBulkPairs) {
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(chunk))
		for _, e := range chunk {
			pairs = append(pairs, toPair(e, o))
		}
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: n.id,
			KVs:         pairs,
		}); err != nil {
			return fmt.Errorf("cfkv: bulk put (%d pairs): %w", len(pairs), err)
		}
	}
	return nil
}

func toPair(e kvstore.Entry, o kvstore.Options) *cloudflare.WorkersKVPair {
	pair := &cloudflare.WorkersKVPair{
		Key:    e.Key,
		Value:  base64.StdEncoding.EncodeToString(e.Value),
		Base64: true,
	}
	ttl := e.TTL
	if ttl == 0 {
		ttl = o.TTL
	}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	} else if !o.ExpiresAt.IsZero() {
		pair.Expiration = int(o.ExpiresAt.Unix())
	}
	switch {
	case len(e.Metadata) > 0:
		pair.Metadata = e.Metadata
	case len(o.Metadata) > 0:
		pair.Metadata = o.Metadata
	}
	return pair
}
