package kvx

import (
	"context"
	"errors"

	"example.com/vireo/internal/kvstore"
)

// Int64 is any integer type a stored tally can be expressed in.
type Int64 interface{ ~int64 }

// Add adjusts the eight-byte tally at key by delta and returns the new total.
func Add[N Int64](ctx context.Context, s kvstore.Store, key string, delta N) (N, error) {
	var cur uint64
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if cur, err = DecodeUint64(raw); err != nil {
			return 0, err
		}
	}
	next := N(cur) + delta
	if err := s.Put(ctx, key, EncodeUint64(uint64(next)), kvstore.WriteOptions{}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return next, nil
}
