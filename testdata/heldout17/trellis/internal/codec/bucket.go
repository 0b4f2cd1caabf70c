package codec

import (
	"context"
	"fmt"
	"time"

	"example.com/trellis/internal/kvstore"
)

// MinTTL is the shortest expiry Workers KV accepts.
const MinTTL = time.Minute

// Bucket stores values of one type under a common key prefix.
type Bucket[T any] struct {
	st     kvstore.Store
	codec  Codec[T]
	prefix string
}

func NewBucket[T any](st kvstore.Store, prefix string, c Codec[T]) *Bucket[T] {
	return &Bucket[T]{st: st, codec: c, prefix: prefix}
}

// Get returns the value stored for id; found is false, with a nil error, when there is no such entry.
func (b *Bucket[T]) Get(ctx context.Context, id string) (v T, found bool, err error) {
	raw, err := b.st.Get(ctx, b.prefix+id)
	if kvstore.IsNotFound(err) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if v, err = b.codec.Decode(raw); err != nil {
		return v, false, fmt.Errorf("codec: decode %s%s: %w", b.prefix, id, err)
	}
	return v, true, nil
}

// Put stores v for id. A positive ttl shorter than MinTTL is raised to MinTTL; zero means no expiry.
func (b *Bucket[T]) Put(ctx context.Context, id string, v T, ttl time.Duration) error {
	raw, err := b.codec.Encode(v)
	if err != nil {
		return fmt.Errorf("codec: encode %s%s: %w", b.prefix, id, err)
	}
	if ttl > 0 && ttl < MinTTL {
		ttl = MinTTL
	}
	return b.st.Put(ctx, b.prefix+id, raw, kvstore.PutOptions{TTL: ttl})
}

func (b *Bucket[T]) Delete(ctx context.Context, id string) error {
	return b.st.Delete(ctx, b.prefix+id)
}
