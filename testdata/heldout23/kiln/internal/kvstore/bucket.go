package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"
)

// Bucket is the handle services hold. It wraps a Store and upgrades to the
// optional capabilities the store offers.
type Bucket struct {
	s        Store
	pageSize int
}

// Open returns a bucket over s.
func Open(s Store) *Bucket { return &Bucket{s: s, pageSize: MaxListLimit} }

// Store exposes the underlying store for capability checks.
func (b *Bucket) Store() Store { return b.s }

// Get returns the raw value for key.
func (b *Bucket) Get(ctx context.Context, key string) ([]byte, error) {
	return b.s.Get(ctx, key)
}

// Put writes value with an optional expiry. A zero ttl stores the key forever.
func (b *Bucket) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return b.s.Put(ctx, key, value)
	}
	if ts, ok := b.s.(TTLSetter); ok {
		return ts.PutTTL(ctx, key, value, ttl)
	}
	return fmt.Errorf("kvstore: %T cannot expire keys", b.s)
}

// Delete removes key.
func (b *Bucket) Delete(ctx context.Context, key string) error { return b.s.Delete(ctx, key) }

// GetJSON decodes the value stored at key into v.
func (b *Bucket) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := b.s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// PutJSON encodes v and stores it at key.
func (b *Bucket) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(ctx, key, raw, ttl)
}

// Page returns one page of keys under prefix starting at cursor.
func (b *Bucket) Page(ctx context.Context, prefix, cursor string) (Page, error) {
	return b.s.List(ctx, ListRequest{Prefix: prefix, Cursor: cursor, Limit: b.pageSize})
}

// Keys iterates over every key under prefix, one page at a time. The caller
// decides how far to go; breaking out of the loop stops further requests.
func (b *Bucket) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			page, err := b.s.List(ctx, ListRequest{Prefix: prefix, Cursor: cursor, Limit: b.pageSize})
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if page.Complete || page.Cursor == "" {
				return
			}
			cursor = page.Cursor
		}
	}
}

// GetMany reads keys in batches the store can serve, falling back to one
// read per key when the store has no bulk read.
func (b *Bucket) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	bg, ok := b.s.(BulkGetter)
	if !ok {
		for _, k := range keys {
			v, err := b.s.Get(ctx, k)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	for start := 0; start < len(keys); start += MaxBulkGet {
		end := min(start+MaxBulkGet, len(keys))
		got, err := bg.GetMany(ctx, keys[start:end])
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			out[k] = v
		}
	}
	return out, nil
}
