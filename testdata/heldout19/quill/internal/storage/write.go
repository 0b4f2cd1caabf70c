package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Bucket adds a fluent write API: b.Write(key).JSON(v).TTL(d).Do(ctx).
type Bucket struct {
	ReadWriter
}

// NewBucket wraps rw.
func NewBucket(rw ReadWriter) *Bucket { return &Bucket{ReadWriter: rw} }

// WriteOp is a pending write. Build it with Bucket.Write and run it with Do.
type WriteOp struct {
	w    Writer
	key  string
	val  []byte
	opts PutOptions
	err  error
}

// Write starts a write to key. key may be a string or any fmt.Stringer.
func (b *Bucket) Write(key any) *WriteOp {
	op := &WriteOp{w: b.ReadWriter}
	switch k := key.(type) {
	case string:
		op.key = k
	case fmt.Stringer:
		op.key = k.String()
	default:
		op.err = fmt.Errorf("storage: unsupported key type %T", key)
	}
	return op
}

// Value sets the raw value.
func (op *WriteOp) Value(v []byte) *WriteOp {
	op.val = v
	return op
}

// JSON sets the JSON encoding of v as the value.
func (op *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil && op.err == nil {
		op.err = fmt.Errorf("storage: encode %s: %w", op.key, err)
	}
	op.val = b
	return op
}

// TTL sets a relative expiry.
func (op *WriteOp) TTL(d time.Duration) *WriteOp {
	op.opts.TTL = d
	return op
}

// ExpireAt sets an absolute expiry.
func (op *WriteOp) ExpireAt(t time.Time) *WriteOp {
	op.opts.ExpiresAt = t
	return op
}

// Meta attaches one metadata entry.
func (op *WriteOp) Meta(k string, v any) *WriteOp {
	if op.opts.Metadata == nil {
		op.opts.Metadata = map[string]any{}
	}
	op.opts.Metadata[k] = v
	return op
}

// Do performs the write.
func (op *WriteOp) Do(ctx context.Context) error {
	if op.err != nil {
		return op.err
	}
	return op.w.Put(ctx, op.key, op.val, op.opts)
}
