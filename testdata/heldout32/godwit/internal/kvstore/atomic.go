package kvstore

import (
	"context"
	"errors"
)

// ErrSkip, returned by an update function, leaves the stored value untouched.
var ErrSkip = errors.New("kvstore: skip write")

// Atomically applies fn to the current value of key and stores the result as
// one unit of work. A missing key is passed to fn as nil.
func Atomically(ctx context.Context, s Store, key string, opts PutOptions, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if errors.Is(err, ErrSkip) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, opts) // EXPECT kvrace
}

// Take returns the value of key and removes it.
func Take(ctx context.Context, s Store, key string) ([]byte, error) {
	v, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := s.Delete(ctx, key); err != nil {
		return nil, err
	}
	return v, nil
}
