// Package metrics keeps view and download counts and per-query leaderboards.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

// Views counts query views. Writes are spread over shards so that a popular
// query does not hammer one key.
type Views struct {
	store  storage.Store
	format string // e.g. "views:%s:%d"
	shards int
	pick   func(n int) int
}

func NewViews(store storage.Store, format string, shards int) *Views {
	return &Views{store: store, format: format, shards: max(shards, 1), pick: rand.IntN}
}

func (v *Views) key(q ids.QueryID, shard int) string { return fmt.Sprintf(v.format, q, shard) }

func (v *Views) readShard(ctx context.Context, key string) (int64, error) {
	raw, err := v.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Record counts one view of q.
func (v *Views) Record(ctx context.Context, q ids.QueryID) error {
	key := v.key(q, v.pick(v.shards))
	n, err := v.readShard(ctx, key)
	if err != nil {
		return fmt.Errorf("metrics: read %s: %w", key, err)
	}
	return v.store.Put(ctx, key, []byte(strconv.FormatInt(n+1, 10)), storage.PutOptions{}) // EXPECT kvcounter
}

// Total sums every shard of q.
func (v *Views) Total(ctx context.Context, q ids.QueryID) (int64, error) {
	var total int64
	for shard := range v.shards {
		n, err := v.readShard(ctx, v.key(q, shard))
		if err != nil {
			return 0, fmt.Errorf("metrics: shard %d: %w", shard, err)
		}
		total += n
	}
	return total, nil
}

// Downloads counts export downloads per report artifact. Values are stored
// as base64-wrapped big-endian uint64s, shared with the export worker.
type Downloads struct {
	store  storage.Store
	format string // e.g. "dl/%s"
}

func NewDownloads(store storage.Store, format string) *Downloads {
	return &Downloads{store: store, format: format}
}

func (d *Downloads) Count(ctx context.Context, artifact string) (uint64, error) {
	raw, err := d.store.Get(ctx, fmt.Sprintf(d.format, artifact))
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return codec.DecodeUint64(string(raw))
}

// Inc records one download and returns the new count.
func (d *Downloads) Inc(ctx context.Context, artifact string) (uint64, error) {
	n, err := d.Count(ctx, artifact)
	if err != nil {
		return 0, err
	}
	n++
	err = d.store.Put(ctx, fmt.Sprintf(d.format, artifact), []byte(codec.EncodeUint64(n)), storage.PutOptions{}) // EXPECT kvcounter
	return n, err
}
