package storage

import (
	"context"
	"fmt"
	"time"
)

// Entry is one pending write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// Batch is an ordered set of writes to distinct keys.
type Batch []Entry

// Add appends an entry and returns the grown batch.
func (b Batch) Add(key string, value []byte, ttl time.Duration) Batch {
	return append(b, Entry{Key: key, Value: value, TTL: ttl})
}

// Keys returns the keys in insertion order.
func (b Batch) Keys() []string {
	out := make([]string, 0, len(b))
	for _, e := range b {
		out = append(out, e.Key)
	}
	return out
}

// Dedupe keeps only the last entry for each key.
func (b Batch) Dedupe() Batch {
	seen := make(map[string]int, len(b))
	out := make(Batch, 0, len(b))
	for _, e := range b {
		if i, ok := seen[e.Key]; ok {
			out[i] = e
			continue
		}
		seen[e.Key] = len(out)
		out = append(out, e)
	}
	return out
}

// Flush writes every entry one at a time. Keys are distinct after Dedupe, so
// each key sees a single write per flush.
func (b Batch) Flush(ctx context.Context, s Blob) error {
	for _, e := range b.Dedupe() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var opts []PutOption
		if e.TTL > 0 {
			opts = append(opts, WithTTL(AtLeastMinute(e.TTL)))
		}
		if e.Metadata != nil {
			opts = append(opts, WithMetadata(e.Metadata))
		}
		if err := s.Put(ctx, e.Key, e.Value, opts...); err != nil {
			return fmt.Errorf("flush %s: %w", e.Key, err)
		}
	}
	return nil
}
