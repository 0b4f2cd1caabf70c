package search

import (
	"context"
	"testing"
	"time"

	"example.com/commerce/internal/adapters/memkv"
	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform/kvjson"
)

type clock struct{}

func (clock) Now() time.Time { return time.Unix(1_700_000_000, 0) }

func TestRebuildFromMetadata(t *testing.T) {
	ctx := context.Background()
	kv := memkv.New()
	for _, sku := range []string{"SHOE-1", "SHOE-2", "HAT-1"} {
		_ = kv.Put(ctx, productPrefix+sku, []byte(`{}`), ports.WithMetadata(map[string]any{"name": sku}))
	}
	cfg := config.Default().Search
	cfg.Shards = 2
	ix := NewIndexer(kv, cfg, clock{})
	if err := ix.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	m, ok, err := kvjson.Get[Manifest](ctx, kv, "search:manifest")
	if err != nil || !ok || m.Version != 1 || m.Sizes[0]+m.Sizes[1] != 3 {
		t.Fatalf("manifest = %+v %v %v", m, ok, err)
	}
	if n, err := ix.ReindexFamily(ctx, "SHOE"); err != nil || n != 2 {
		t.Fatalf("ReindexFamily = %d, %v", n, err)
	}
}
