package kvstore

import (
	"context"
	"time"

	"github.com/takahe-iot/takahe/internal/async"
)

// GetAsync reads key in the background and hands the result to cb.
func (n *Namespace) GetAsync(ctx context.Context, key string, cb func(val []byte, err error)) {
	go func() { cb(n.Get(ctx, key)) }()
}

// PutAsync writes key in the background and reports the outcome to done,
// which may be nil.
func (n *Namespace) PutAsync(ctx context.Context, key string, value []byte, ttl time.Duration, done func(error)) {
	go func() {
		err := n.Put(ctx, key, value, ttl)
		if done != nil {
			done(err)
		}
	}()
}

// DeleteAsync removes key in the background and reports to done.
func (n *Namespace) DeleteAsync(ctx context.Context, key string, done func(error)) {
	go func() {
		err := n.Delete(ctx, key)
		if done != nil {
			done(err)
		}
	}()
}

// Fetch returns a future for the value under key.
func (n *Namespace) Fetch(ctx context.Context, key string) *async.Future[[]byte] {
	return async.Go(func() ([]byte, error) { return n.Get(ctx, key) })
}
