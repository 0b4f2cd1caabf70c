package decorate

import (
	"context"

	"example.com/sundial/internal/retry"
	"example.com/sundial/internal/storage"
)

type retrying struct {
	storage.Store
	opts []retry.Option
}

// Retry retries throttled or failed operations on st with backoff.
func Retry(st storage.Store, opts ...retry.Option) storage.Store {
	r := retrying{Store: st, opts: opts}
	return keepLister(r, st, func(ctx context.Context, o storage.ListOptions) (p storage.Page, err error) {
		l, _ := storage.AsLister(st)
		err = retry.Do(ctx, func() error {
			p, err = l.List(ctx, o)
			return err
		}, opts...)
		return p, err
	})
}

func (r retrying) Get(ctx context.Context, key string) (v []byte, err error) {
	err = retry.Do(ctx, func() error {
		v, err = r.Store.Get(ctx, key)
		return err
	}, r.opts...)
	return v, err
}

func (r retrying) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return retry.Do(ctx, func() error {
		return r.Store.Put(ctx, key, value, opts)
	}, r.opts...)
}

func (r retrying) Delete(ctx context.Context, key string) error {
	return retry.Do(ctx, func() error { return r.Store.Delete(ctx, key) }, r.opts...)
}
