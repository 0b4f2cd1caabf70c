// Package etas is a generic port with two implementations: a JSON cache
// for any value, which raises short lifetimes to KV's minimum, and a
// store of raw bytes, which sends them as given. A call through
// Cache[string, ETA] reaches only the first; one through
// Cache[string, []byte] may reach either.
package etas

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/ports/store"
)

type Cache[K ~string, V any] interface {
	Put(ctx context.Context, key K, v V, ttl time.Duration) error
}

type JSONCache[K ~string, V any] struct {
	raw    store.Store
	prefix string
}

func (c *JSONCache[K, V]) Put(ctx context.Context, key K, v V, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.raw.Set(ctx, c.prefix+string(key), b, ttl)
}

// Bytes serves Cache[string, []byte] only.
type Bytes struct{ raw store.Store }

func (b Bytes) Put(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return b.raw.Set(ctx, key, v, ttl)
}

type ETA struct {
	Order   string
	Minutes int
}

// Quick asks for 30 seconds of a cache that raises it to a minute.
func Quick(ctx context.Context, c Cache[string, ETA], e ETA) error {
	return c.Put(ctx, e.Order, e, 30*time.Second)
}

// Raw may reach the store that sends 30 seconds as it is.
func Raw(ctx context.Context, c Cache[string, []byte], order string, b []byte) error {
	return c.Put(ctx, order, b, 30*time.Second)
}
