package cfkv6

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/otter/internal/kvport"
)

// Handle binds a namespace, a key prefix and a default lifetime.
type Handle struct {
	s        *Store
	ns       string
	prefix   string
	lifetime time.Duration
}

var (
	_ kvport.MetaStore  = (*Handle)(nil)
	_ kvport.BulkReader = (*Handle)(nil)
)

// minLifetime is the shortest expiry KV accepts.
const minLifetime = time.Minute

// WithLifetime returns a copy of h whose writes default to lifetime d.
func (h *Handle) WithLifetime(d time.Duration) *Handle {
	c := *h
	c.lifetime = max(d, minLifetime)
	return &c
}

func (h *Handle) key(k string) string { return h.prefix + k }

func (h *Handle) account() string { return h.s.account }

func (h *Handle) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := h.s.get(ctx, h.ns, h.key(key))
	if isMissing(err) {
		return nil, kvport.ErrNotFound
	}
	return v, err
}

// Raw returns exactly what the API returned for key, errors included.
func (h *Handle) Raw(ctx context.Context, key string) ([]byte, error) {
	return h.s.get(ctx, h.ns, h.key(key))
}

func (h *Handle) GetWithMeta(ctx context.Context, key string) ([]byte, json.RawMessage, error) {
	v, err := h.Get(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	meta, err := h.s.client.KV.Namespaces.Metadata.Get(ctx, h.ns, h.key(key), kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(h.account())})
	if isMissing(err) {
		return v, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	raw, err := json.Marshal(meta)
	return v, raw, err
}

func (h *Handle) Put(ctx context.Context, key string, value []byte, opts *kvport.PutOpts) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.account()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if at := opts.Deadline(); at > 0 {
		p.Expiration = cloudflare.F(float64(at))
	} else if ttl := opts.Lifetime(h.lifetime); ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if m := opts.Meta(); m != nil {
		p.Metadata = cloudflare.F(m)
	}
	if _, err := h.s.values().Update(ctx, h.ns, h.key(key), p); err != nil {
		return fmt.Errorf("kv put %s%s: %w", h.prefix, key, err)
	}
	return nil
}

func (h *Handle) Delete(ctx context.Context, key string) error {
	_, err := h.s.values().Delete(ctx, h.ns, h.key(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(h.account())})
	if isMissing(err) {
		return nil
	}
	return err
}

// List implements kvport.Store: one page, with the cursor for the next.
func (h *Handle) List(ctx context.Context, q kvport.ListQuery) (kvport.Page, error) {
	limit := q.Limit
	if limit < 10 || limit > 1000 {
		limit = 1000
	}
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(h.account()), Prefix: cloudflare.F(h.key(q.Prefix)), Limit: cloudflare.F(float64(limit))}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	res, err := h.s.keys().List(ctx, h.ns, params)
	if err != nil {
		return kvport.Page{}, err
	}
	page := kvport.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvport.KeyInfo{Name: strings.TrimPrefix(k.Name, h.prefix), Expiration: int64(k.Expiration)}
		if k.Metadata != nil {
			info.Metadata, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// GetMany implements kvport.BulkReader with a single bulk request.
func (h *Handle) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = h.key(k)
	}
	res, err := h.s.client.KV.Namespaces.BulkGet(ctx, h.ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(h.account()),
		Keys:      cloudflare.F(full),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[strings.TrimPrefix(k, h.prefix)] = []byte(s)
			}
		}
	}
	return out, nil
}

// PutMany writes pairs, at most 10,000 per request.
func (h *Handle) PutMany(ctx context.Context, pairs []kvport.Pair) error {
	for chunk := range slices.Chunk(pairs, 10_000) {
		if err := h.PutBatch(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}

// PutBatch writes pairs in a single bulk request.
func (h *Handle) PutBatch(ctx context.Context, pairs []kvport.Pair) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(h.key(p.Key)), Value: cloudflare.F(string(p.Value))}
		if ttl := p.Opts.Lifetime(h.lifetime); ttl > 0 {
			b.ExpirationTTL = cloudflare.F(ttl.Seconds())
		}
		if m := p.Opts.Meta(); m != nil {
			b.Metadata = cloudflare.F(m)
		}
		body = append(body, b)
	}
	res, err := h.s.client.KV.Namespaces.BulkUpdate(ctx, h.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(h.account()), Body: body})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kv bulk put: %d keys not written", len(res.UnsuccessfulKeys))
	}
	return nil
}
