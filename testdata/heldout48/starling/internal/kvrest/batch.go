package kvrest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"starling/internal/retry"
)

// Batch is a write-behind buffer for the backend. Callers record puts and
// merges during a job; Flush sends the puts in bulk and applies each merge to
// the stored value of its key.
type Batch struct {
	kv     *Instrumented
	puts   []Pair
	index  map[string]int
	merges map[string][]MergeFunc
}

// MergeFunc computes a key's new value from its stored value, which is nil if
// the key does not exist.
type MergeFunc func(old []byte) ([]byte, error)

// NewBatch returns an empty batch on kv.
func NewBatch(kv *Instrumented) *Batch {
	return &Batch{kv: kv, index: map[string]int{}, merges: map[string][]MergeFunc{}}
}

// Put records a write; a later Put of the same key replaces it.
func (b *Batch) Put(key string, value []byte, ttl time.Duration) {
	if i, ok := b.index[key]; ok {
		b.puts[i] = Pair{Key: key, Value: value, TTL: ttl}
		return
	}
	b.index[key] = len(b.puts)
	b.puts = append(b.puts, Pair{Key: key, Value: value, TTL: ttl})
}

// Merge records fn to be applied to key's stored value at flush.
func (b *Batch) Merge(key string, fn MergeFunc) {
	b.merges[key] = append(b.merges[key], fn)
}

// Flush writes everything recorded and resets the batch.
func (b *Batch) Flush(ctx context.Context) error {
	if len(b.puts) > 0 {
		err := retry.Do(ctx, retry.Default, func(ctx context.Context) error { return b.kv.Bulk(ctx, b.puts) })
		if err != nil {
			return err
		}
	}
	var errs []error
	for key, fns := range b.merges {
		old, err := b.kv.Get(ctx, key)
		if err != nil && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		val := old
		for _, fn := range fns {
			if val, err = fn(val); err != nil {
				break
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("merge %q: %w", key, err))
			continue
		}
		if err := b.kv.Put(ctx, key, val); err != nil { // EXPECT kvrace
			errs = append(errs, err)
		}
	}
	b.puts, b.index, b.merges = nil, map[string]int{}, map[string][]MergeFunc{}
	return errors.Join(errs...)
}
