// Package kvops is the small table of KV operations handed to middleware
// that runs before the domain services are built. cmd/worker fills it in
// with functions bound to a namespace; tests fill it with a map.
package kvops

import (
	"context"
	"sync"
)

// Missing is the value Get reports for a key that is not stored.
const Missing = "<null>"

// Ops is a hand-rolled table of KV calls.
type Ops struct {
	Get    func(ctx context.Context, key string) (string, error)
	Put    func(ctx context.Context, key, value string, ttlSeconds int) error
	Delete func(ctx context.Context, key string) error
}

// Map returns Ops over an in-memory map, for tests and local runs.
func Map() (Ops, map[string]string) {
	var mu sync.Mutex
	m := map[string]string{}
	return Ops{
		Get: func(_ context.Context, key string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if v, ok := m[key]; ok {
				return v, nil
			}
			return Missing, nil
		},
		Put: func(_ context.Context, key, value string, _ int) error {
			mu.Lock()
			defer mu.Unlock()
			m[key] = value
			return nil
		},
		Delete: func(_ context.Context, key string) error {
			mu.Lock()
			defer mu.Unlock()
			delete(m, key)
			return nil
		},
	}, m
}
