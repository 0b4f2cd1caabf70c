package kvstore

import (
	"context"
	"encoding/json"
	"time"
)

// Keyed is satisfied by pointers to records that can name their own key.
type Keyed[T any] interface {
	*T
	Key() string
}

// Save writes v under v.Key() with the given lifetime.
func Save[T any, PT Keyed[T]](ctx context.Context, s *Store, v PT, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, v.Key(), raw, ttl)
}

// Fill loads the record named by v.Key() into v. The caller sets the
// identifying fields first.
func Fill[T any, PT Keyed[T]](ctx context.Context, s *Store, v PT) error {
	return s.Load(ctx, v.Key(), v)
}
