package decorate

import (
	"context"
	"time"

	"example.com/caravan/internal/platform/retry"
	"example.com/caravan/internal/storage"
)

type retrying struct {
	storage.Store
	policy retry.Policy
}

// WithRetry retries failed operations under policy. A missing key is an answer,
// not a failure, and is returned at once.
func WithRetry(st storage.Store, policy retry.Policy) storage.Store {
	return retrying{Store: st, policy: policy}
}

func (r retrying) Unwrap() storage.Store { return r.Store }

func (r retrying) Get(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := r.policy.Do(ctx, func() error {
		v, err := r.Store.Get(ctx, key)
		if storage.IsNotFound(err) {
			return retry.Stop(err)
		}
		out = v
		return err
	})
	return out, err
}

func (r retrying) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.policy.Do(ctx, func() error {
		return r.Store.Put(ctx, key, value, ttl)
	})
}

func (r retrying) Delete(ctx context.Context, key string) error {
	return retry.Do(ctx, func() error {
		return r.Store.Delete(ctx, key)
	})
}
