// Package stats records product views and maintains the grower leaderboard.
package stats

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

// Views counts product page views. The count for a SKU is spread over a
// number of shard keys so that popular products do not all write one key.
type Views struct {
	store     kvstore.Store
	keyFormat string
	shards    int
}

func NewViews(store kvstore.Store, keys config.KeyFormats, shards int) *Views {
	return &Views{store: store, keyFormat: keys.Views, shards: max(shards, 1)}
}

func (v *Views) shardKey(sku ids.SKU, shard int) string {
	return fmt.Sprintf(v.keyFormat, sku, shard)
}

func (v *Views) readShard(ctx context.Context, key string) (int, error) {
	raw, err := v.store.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Record counts one view of sku.
func (v *Views) Record(ctx context.Context, sku ids.SKU) error {
	key := v.shardKey(sku, rand.IntN(v.shards))
	n, err := v.readShard(ctx, key)
	if err != nil {
		return err
	}
	return v.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{}) // EXPECT kvcounter
}

// Total sums the shards of sku.
func (v *Views) Total(ctx context.Context, sku ids.SKU) (int, error) {
	total := 0
	for shard := range v.shards {
		n, err := v.readShard(ctx, v.shardKey(sku, shard))
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
