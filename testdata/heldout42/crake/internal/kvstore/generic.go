//go:build js && wasm

package kvstore

import (
	"context"
	"time"
)

// Keyed is satisfied by pointers to records that know their KV key.
type Keyed[T any] interface {
	*T
	Key() string
}

// Save stores rec as JSON under rec.Key().
func Save[T any, PT Keyed[T]](ctx context.Context, s *Store, rec PT, ttl time.Duration) error {
	return s.Put(ctx, rec.Key(), rec, ttl)
}

// Fetch fills rec from the JSON stored under rec.Key(). The caller sets
// the fields that Key depends on before calling.
func Fetch[T any, PT Keyed[T]](ctx context.Context, s *Store, rec PT) (bool, error) {
	return s.Load(ctx, rec.Key(), rec)
}
