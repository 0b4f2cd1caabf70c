// Package search builds the sharded product index the storefront's search
// worker loads. Shards are rebuilt by a periodic job from the product keys'
// metadata; single products are patched in between rebuilds.
package search

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/batch"
	"example.com/commerce/internal/platform/kvjson"
)

const productPrefix = "product:"

type Doc struct {
	SKU  string   `json:"sku"`
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

type Shard struct {
	ID      int            `json:"id"`
	Docs    map[string]Doc `json:"docs"`
	BuiltAt time.Time      `json:"built_at"`
}

type Manifest struct {
	Shards  int       `json:"shards"`
	Version int       `json:"version"`
	Sizes   []int     `json:"sizes"`
	BuiltAt time.Time `json:"built_at"`
}

type Store interface {
	ports.KV
	ports.BulkWriter
}

type Indexer struct {
	kv    Store
	cfg   config.SearchConfig
	clock platform.Clock
	// OnCorrupt is told about product keys whose value fails to decode.
	OnCorrupt func(key string, err error)
}

func NewIndexer(kv Store, cfg config.SearchConfig, clock platform.Clock) *Indexer {
	return &Indexer{kv: kv, cfg: cfg, clock: clock, OnCorrupt: func(string, error) {}}
}

func shardKey(i int) string { return "search:shard:" + strconv.Itoa(i) }

func (ix *Indexer) shardOf(sku string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(sku))
	return int(h.Sum32() % uint32(ix.cfg.Shards))
}

func docFromKey(k ports.KeyInfo) Doc {
	d := Doc{SKU: strings.TrimPrefix(k.Name, productPrefix)}
	if name, ok := k.Metadata["name"].(string); ok {
		d.Name = name
	}
	tags, _ := k.Metadata["tags"].([]any)
	for _, t := range tags {
		if s, ok := t.(string); ok {
			d.Tags = append(d.Tags, s)
		}
	}
	return d
}

// Rebuild regenerates every shard from the product keys.
func (ix *Indexer) Rebuild(ctx context.Context) error {
	shards := make([]Shard, ix.cfg.Shards)
	now := ix.clock.Now()
	for i := range shards {
		shards[i] = Shard{ID: i, Docs: map[string]Doc{}, BuiltAt: now}
	}
	cursor := ""
	for {
		page, err := ix.kv.List(ctx, ports.ListRequest{Prefix: productPrefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("search: list products: %w", err)
		}
		for _, k := range page.Keys {
			d := docFromKey(k)
			shards[ix.shardOf(d.SKU)].Docs[d.SKU] = d
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return ix.writeShards(ctx, shards)
}

func (ix *Indexer) writeShards(ctx context.Context, shards []Shard) error {
	tx := batch.New(ix.kv)
	sizes := make([]int, len(shards))
	for i, sh := range shards {
		sizes[i] = len(sh.Docs)
		if err := tx.PutJSON(shardKey(sh.ID), sh, int64(ix.cfg.ShardTTL/time.Second)); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	return kvjson.Update(ctx, ix.kv, "search:manifest", func(m *Manifest) error {
		m.Version++
		m.Shards = len(shards)
		m.Sizes = sizes
		m.BuiltAt = ix.clock.Now()
		return nil
	})
}

// ReindexFamily publishes the family listing page (e.g. "SHOE") after a bulk
// rename, without waiting for the next full rebuild.
func (ix *Indexer) ReindexFamily(ctx context.Context, family string) (int, error) {
	page, err := ix.kv.List(ctx, ports.ListRequest{Prefix: productPrefix + family + "-"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	docs := make([]Doc, 0, len(page.Keys))
	for _, k := range page.Keys {
		docs = append(docs, docFromKey(k))
	}
	return len(docs), kvjson.Put(ctx, ix.kv, "search:family:"+family, docs, ports.WithTTL(6*time.Hour))
}

// IndexProduct patches a single document into its shard.
func (ix *Indexer) IndexProduct(ctx context.Context, d Doc) error {
	key := shardKey(ix.shardOf(d.SKU))
	sh, _, err := kvjson.Get[Shard](ctx, ix.kv, key)
	if err != nil {
		return err
	}
	if sh.Docs == nil {
		sh.Docs = map[string]Doc{}
	}
	sh.Docs[d.SKU] = d
	return kvjson.Put(ctx, ix.kv, key, sh, ports.WithTTL(ix.cfg.ShardTTL)) // EXPECT kvrace
}

// Verify decodes product values page by page (bounded per run) and reports
// corrupt uploads.
func (ix *Indexer) Verify(ctx context.Context, cursor string, maxPages int) (string, error) {
	for i := 0; i < maxPages; i++ {
		page, err := ix.kv.List(ctx, ports.ListRequest{Prefix: productPrefix, Cursor: cursor, Limit: 100})
		if err != nil {
			return cursor, err
		}
		for _, k := range page.Keys {
			raw, err := ix.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return cursor, err
			}
			var probe map[string]any
			if err := json.Unmarshal(raw, &probe); err != nil {
				ix.OnCorrupt(k.Name, err)
			}
		}
		if page.Complete {
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

// Prune drops shards left over from a configuration with more shards.
// There are at most a few dozen shard keys, so two pages are plenty.
func (ix *Indexer) Prune(ctx context.Context) (int, error) {
	tx := batch.New(ix.kv)
	cursor := ""
	for range 2 {
		page, err := ix.kv.List(ctx, ports.ListRequest{Prefix: "search:shard:", Cursor: cursor})
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			if i, err := strconv.Atoi(strings.TrimPrefix(k.Name, "search:shard:")); err == nil && i >= ix.cfg.Shards {
				tx.Delete(k.Name)
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	n := tx.Len()
	return n, tx.Commit(ctx)
}

func (ix *Indexer) Routes(mux *http.ServeMux) {
	mux.Handle("POST /admin/search/family/{family}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (int, error) {
		return ix.ReindexFamily(r.Context(), r.PathValue("family"))
	}))
	mux.Handle("POST /admin/search/products", platform.Do(func(r *http.Request, d Doc) error {
		return ix.IndexProduct(r.Context(), d)
	}))
	mux.Handle("POST /admin/search/verify", platform.Endpoint(func(r *http.Request, _ platform.Empty) (string, error) {
		pages, _ := strconv.Atoi(r.URL.Query().Get("pages"))
		return ix.Verify(r.Context(), r.URL.Query().Get("cursor"), min(max(pages, 1), 10))
	}))
	mux.Handle("POST /admin/search/prune", platform.Endpoint(func(r *http.Request, _ platform.Empty) (int, error) {
		return ix.Prune(r.Context())
	}))
}
