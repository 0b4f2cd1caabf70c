// Package bulk moves many keys at once through the REST bulk endpoints.
package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/avocet/internal/backend/cfstore"
)

// Pair is one key and its value; TTL is in seconds, 0 keeps it forever.
type Pair struct {
	Key, Value string
	TTL        int64
}

type Mover struct {
	store     *cfstore.Store
	log       *slog.Logger
	batchSize int
}

type Option func(*Mover)

// WithBatchSize sets how many pairs go into one bulk write.
func WithBatchSize(n int) Option { return func(m *Mover) { m.batchSize = n } }

// New returns a Mover writing 10,000 pairs per request by default.
func New(store *cfstore.Store, log *slog.Logger, opts ...Option) *Mover {
	m := &Mover{store: store, log: log, batchSize: 10_000}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Import writes pairs in batches and returns the keys that failed.
func (m *Mover) Import(ctx context.Context, pairs []Pair) ([]string, error) {
	var failed []string
	for batch := range slices.Chunk(pairs, m.batchSize) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, len(batch))
		for i, p := range batch {
			body[i] = kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
			if p.TTL > 0 {
				body[i].ExpirationTTL = cloudflare.F(float64(max(p.TTL, 60)))
			}
		}
		res, err := m.store.Namespaces().BulkUpdate(ctx, m.store.NamespaceID(), kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(m.store.Account()),
			Body:      body,
		})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

func textValues(res *kv.NamespaceBulkGetResponse, into map[string]string) {
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				into[k] = string(s)
			}
		}
	}
}

// getMany reads up to 100 keys in one request.
func (m *Mover) getMany(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := m.store.Namespaces().BulkGet(ctx, m.store.NamespaceID(), kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(m.store.Account()),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	textValues(res, out)
	return out, nil
}

// Export reads the given keys for a support dump.
func (m *Mover) Export(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, 250) {
		res, err := m.store.Namespaces().BulkGet(ctx, m.store.NamespaceID(), kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(m.store.Account()),
			Keys:      cloudflare.F(chunk),
		})
		if err != nil {
			return out, err
		}
		textValues(res, out)
	}
	return out, nil
}

// Rewrite copies documents from one prefix to another, transformed, at most
// maxPages pages of 100 keys per call; it returns the cursor to resume from.
func (m *Mover) Rewrite(ctx context.Context, from, to, cursor string, maxPages int, f func(map[string]any) error) (string, error) {
	for page := 0; page < maxPages; page++ {
		p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(m.store.Account()), Prefix: cloudflare.F(from), Limit: cloudflare.F(100.0)}
		if cursor != "" {
			p.Cursor = cloudflare.F(cursor)
		}
		list, err := m.store.Namespaces().Keys.List(ctx, m.store.NamespaceID(), p)
		if err != nil {
			return cursor, err
		}
		names := make([]string, len(list.Result))
		for i, k := range list.Result {
			names[i] = k.Name
		}
		if len(names) > 0 {
			docs, err := m.getMany(ctx, names)
			if err != nil {
				return cursor, err
			}
			var out []Pair
			for name, raw := range docs {
				var doc map[string]any
				if err := json.Unmarshal([]byte(raw), &doc); err != nil || f(doc) != nil {
					m.log.WarnContext(ctx, "rewrite: skipping", "key", name, "err", err)
					continue
				}
				b, _ := json.Marshal(doc)
				out = append(out, Pair{Key: to + name[len(from):], Value: string(b)})
			}
			if failed, err := m.Import(ctx, out); err != nil || len(failed) > 0 {
				return cursor, fmt.Errorf("rewrite: %d keys failed: %v", len(failed), err)
			}
		}
		cursor = list.ResultInfo.Cursor
		if cursor == "" {
			return "", nil
		}
	}
	return cursor, nil
}
