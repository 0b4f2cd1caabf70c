package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Store wraps a ReadWriter with a fluent write API:
//
//	s.Write(key).JSON(v).TTL(10 * time.Minute).Do(ctx)
type Store struct {
	ReadWriter
}

// New wraps rw.
func New(rw ReadWriter) Store { return Store{ReadWriter: rw} }

// WriteOp accumulates a single write.
type WriteOp struct {
	w        Writer
	key      string
	value    []byte
	ttl      time.Duration
	expireAt time.Time
	meta     any
	err      error
}

// Write starts a write of key.
func (s Store) Write(key string) *WriteOp { return &WriteOp{w: s.ReadWriter, key: key} }

// Value sets raw bytes.
func (op *WriteOp) Value(b []byte) *WriteOp {
	op.value = b
	return op
}

// String sets a string value.
func (op *WriteOp) String(s string) *WriteOp {
	op.value = []byte(s)
	return op
}

// JSON encodes v as the value.
func (op *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil {
		op.err = fmt.Errorf("kvstore: encode %s: %w", op.key, err)
		return op
	}
	op.value = b
	return op
}

// TTL sets a relative expiry.
func (op *WriteOp) TTL(d time.Duration) *WriteOp {
	op.ttl = d
	return op
}

// ExpireAt sets an absolute expiry.
func (op *WriteOp) ExpireAt(t time.Time) *WriteOp {
	op.expireAt = t
	return op
}

// Meta attaches metadata.
func (op *WriteOp) Meta(m any) *WriteOp {
	op.meta = m
	return op
}

// Do performs the write.
func (op *WriteOp) Do(ctx context.Context) error {
	if op.err != nil {
		return op.err
	}
	opts := PutOptions{Metadata: op.meta}
	if op.ttl > 0 {
		opts.TTL = Seconds(op.ttl.Seconds())
	}
	if !op.expireAt.IsZero() {
		opts.ExpireAt = op.expireAt.Unix()
	}
	return op.w.Put(ctx, op.key, op.value, opts)
}

// GetJSON reads key and decodes it into v.
func GetJSON(ctx context.Context, r Reader, key string, v any) error {
	b, err := r.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return nil
}
