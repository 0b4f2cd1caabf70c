package store

import (
	"context"
	"fmt"
	"time"
)

// Entry is one pending write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// Batch is a list of writes applied in order. Keys in a batch are expected to
// be distinct; duplicates are collapsed, keeping the last value.
type Batch []Entry

// Dedup returns b with later entries replacing earlier ones for the same key.
func (b Batch) Dedup() Batch {
	idx := make(map[string]int, len(b))
	out := make(Batch, 0, len(b))
	for _, e := range b {
		if i, ok := idx[e.Key]; ok {
			out[i] = e
			continue
		}
		idx[e.Key] = len(out)
		out = append(out, e)
	}
	return out
}

// Flush writes every entry to s.
func (b Batch) Flush(ctx context.Context, s Raw) error {
	for _, e := range b.Dedup() {
		if err := ctx.Err(); err != nil {
			return err
		}
		ttl := max(e.TTL, time.Minute)
		if err := s.Put(ctx, e.Key, e.Value, WithTTL(ttl)); err != nil {
			return fmt.Errorf("batch: put %s: %w", e.Key, err)
		}
	}
	return nil
}

// Keys lists the keys in b.
func (b Batch) Keys() []string {
	out := make([]string, len(b))
	for i, e := range b {
		out[i] = e.Key
	}
	return out
}
