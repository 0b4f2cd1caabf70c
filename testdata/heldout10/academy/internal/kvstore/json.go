package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// GetJSON decodes the value at key into a T. found is false when the key
// does not exist; any other failure is returned as an error.
func GetJSON[T any](ctx context.Context, r Reader, key string) (v T, found bool, err error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false, fmt.Errorf("kvstore: decode %s: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and writes it at key.
func PutJSON[T any](ctx context.Context, w Putter, key string, v T, opts ...PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts...)
}

// WriteOp is a small fluent helper for writes with several options:
//
//	kvstore.Write(s).Key(k).TTL(time.Hour).Put(ctx, raw)
type WriteOp struct {
	w    Putter
	key  string
	opts []PutOption
}

func Write(w Putter) *WriteOp { return &WriteOp{w: w} }

func (op *WriteOp) Key(k string) *WriteOp { op.key = k; return op }

func (op *WriteOp) TTL(d time.Duration) *WriteOp {
	op.opts = append(op.opts, WithTTL(d))
	return op
}

func (op *WriteOp) Meta(m any) *WriteOp {
	op.opts = append(op.opts, WithMetadata(m))
	return op
}

func (op *WriteOp) Put(ctx context.Context, v []byte) error {
	return op.w.Put(ctx, op.key, v, op.opts...)
}
