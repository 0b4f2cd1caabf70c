// Package metered wraps a store.Store and reports write latency.
package metered

import (
	"context"
	"time"

	"example.com/arcade/internal/store"
)

// Observer receives one sample per write.
type Observer func(op string, took time.Duration, err error)

// Store forwards everything to the wrapped store; only Put is timed because
// writes are what the KV dashboard bills and throttles.
type Store struct {
	store.Store
	observe Observer
}

func Wrap(s store.Store, observe Observer) Store {
	if observe == nil {
		observe = func(string, time.Duration, error) {}
	}
	return Store{Store: s, observe: observe}
}

func (m Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	start := time.Now()
	err := m.Store.Put(ctx, key, value, opts...)
	m.observe("put", time.Since(start), err)
	return err
}
