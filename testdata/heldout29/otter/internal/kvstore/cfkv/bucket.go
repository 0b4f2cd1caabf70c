package cfkv

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/otter/internal/kvport"
)

// Bucket is a namespace handle: one namespace, one key prefix and one default lifetime.
type Bucket struct {
	c   *Client
	ns  string
	cfg kvport.BucketConfig
}

var _ kvport.Store = (*Bucket)(nil)

func (b *Bucket) key(k string) string { return b.cfg.Prefix + k }

func (b *Bucket) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := b.c.api.GetWorkersKV(ctx, b.c.account, cloudflare.GetWorkersKVParams{NamespaceID: b.ns, Key: b.key(key)})
	if isNotFound(err) {
		return nil, kvport.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("cfkv get %s: %w", b.cfg.Name, err)
	}
	return v, nil
}

// Put implements kvport.Store.
func (b *Bucket) Put(ctx context.Context, key string, value []byte, opts *kvport.PutOpts) error {
	p := &cloudflare.WorkersKVPair{Key: b.key(key), Value: base64.StdEncoding.EncodeToString(value), Base64: true, Metadata: opts.Meta()}
	if at := opts.Deadline(); at > 0 {
		p.Expiration = int(at)
	} else if ttl := opts.Lifetime(b.cfg.Lifetime); ttl > 0 {
		p.ExpirationTTL = int(ttl / time.Second)
	}
	_, err := b.c.api.WriteWorkersKVEntries(ctx, b.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: b.ns,
		KVs:         []*cloudflare.WorkersKVPair{p},
	})
	if err != nil {
		return fmt.Errorf("cfkv put %s: %w", b.cfg.Name, err)
	}
	return nil
}

func (b *Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.c.api.DeleteWorkersKVEntry(ctx, b.c.account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: b.ns, Key: b.key(key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv delete %s: %w", b.cfg.Name, err)
	}
	return nil
}

// List implements kvport.Store.
func (b *Bucket) List(ctx context.Context, q kvport.ListQuery) (kvport.Page, error) {
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	resp, err := b.c.api.ListWorkersKVKeys(ctx, b.c.account, cloudflare.ListWorkersKVsParams{
		NamespaceID: b.ns,
		Prefix:      b.key(q.Prefix),
		Cursor:      q.Cursor,
		Limit:       max(limit, 10),
	})
	if err != nil {
		return kvport.Page{}, fmt.Errorf("cfkv list %s: %w", b.cfg.Name, err)
	}
	page := kvport.Page{Cursor: resp.ResultInfo.Cursor, Complete: resp.ResultInfo.Cursor == ""}
	for _, k := range resp.Result {
		info := kvport.KeyInfo{Name: strings.TrimPrefix(k.Name, b.cfg.Prefix), Expiration: int64(k.Expiration)}
		if k.Metadata != nil {
			info.Metadata, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
