// Package batch has writers that group KV operations. A Writer remembers the
// first error and turns every later call into a no-op, so call sites can issue
// a sequence of writes and check once at the end:
//
//	w := batch.NewWriter(ctx, st)
//	w.Put(k1, v1, 0)
//	w.Del(k2)
//	if err := w.Err(); err != nil { ... }
package batch

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/korimako/korimako/internal/kvstore"
)

// Writer issues KV writes one by one and keeps the first error.
type Writer struct {
	ctx context.Context
	st  *kvstore.Store
	err error
	n   int
}

// NewWriter returns a Writer that writes to st.
func NewWriter(ctx context.Context, st *kvstore.Store) *Writer {
	return &Writer{ctx: ctx, st: st}
}

// Put writes value under key unless an earlier call failed.
func (w *Writer) Put(key, value string, ttl time.Duration) {
	if w.err != nil {
		return
	}
	if err := w.st.Put(w.ctx, key, value, ttl); err != nil {
		w.err = fmt.Errorf("put %s: %w", key, err)
		return
	}
	w.n++
}

// PutJSON encodes v and writes it under key.
func (w *Writer) PutJSON(key string, v any, ttl time.Duration) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("encode %s: %w", key, err)
		return
	}
	w.Put(key, string(b), ttl)
}

// PutMeta writes value and metadata under key.
func (w *Writer) PutMeta(key, value string, meta any) {
	if w.err != nil {
		return
	}
	if err := w.st.PutWithMeta(w.ctx, key, value, meta, 0); err != nil {
		w.err = fmt.Errorf("put %s: %w", key, err)
		return
	}
	w.n++
}

// Del removes key unless an earlier call failed.
func (w *Writer) Del(key string) {
	if w.err != nil {
		return
	}
	if err := w.st.Delete(w.ctx, key); err != nil {
		w.err = fmt.Errorf("delete %s: %w", key, err)
		return
	}
	w.n++
}

// Err returns the first error seen.
func (w *Writer) Err() error { return w.err }

// Count reports how many operations succeeded.
func (w *Writer) Count() int { return w.n }

// BulkWriter buffers pairs and sends them with the bulk endpoint whenever
// flushAt pairs have accumulated. Like Writer it keeps the first error.
type BulkWriter struct {
	ctx     context.Context
	st      *kvstore.Store
	flushAt int
	buf     []kvstore.Entry
	dels    []string
	err     error
}

// NewBulkWriter returns a BulkWriter that flushes every flushAt pairs.
func NewBulkWriter(ctx context.Context, st *kvstore.Store, flushAt int) *BulkWriter {
	return &BulkWriter{ctx: ctx, st: st, flushAt: flushAt, buf: make([]kvstore.Entry, 0, flushAt)}
}

// Put buffers one pair.
func (b *BulkWriter) Put(key, value string, ttl time.Duration) {
	if b.err != nil {
		return
	}
	b.buf = append(b.buf, kvstore.Entry{Key: key, Value: value, TTL: ttl})
	if len(b.buf) >= b.flushAt {
		b.flushPuts()
	}
}

// Del buffers one delete.
func (b *BulkWriter) Del(key string) {
	if b.err != nil {
		return
	}
	b.dels = append(b.dels, key)
}

func (b *BulkWriter) flushPuts() {
	if b.err != nil || len(b.buf) == 0 {
		return
	}
	b.err = b.st.PutBatch(b.ctx, b.buf)
	b.buf = b.buf[:0]
}

// Close flushes what is buffered and returns the first error.
func (b *BulkWriter) Close() error {
	b.flushPuts()
	if b.err == nil && len(b.dels) > 0 {
		b.err = b.st.BulkDelete(b.ctx, b.dels)
		b.dels = nil
	}
	return b.err
}
