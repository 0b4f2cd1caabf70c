//go:build js && wasm

package kvstore

import (
	"encoding/json"
	"strconv"
	"time"
)

// Cache is a JSON read-through cache over a Store. keyOf maps a domain key to
// its KV key.
type Cache[K comparable, V any] struct {
	store *Store
	keyOf func(K) string
	ttl   time.Duration
}

// NewCache returns a cache whose entries live for ttl.
func NewCache[K comparable, V any](s *Store, keyOf func(K) string, ttl time.Duration) *Cache[K, V] {
	return &Cache[K, V]{store: s, keyOf: keyOf, ttl: ttl}
}

// Get returns the cached value for k.
func (c *Cache[K, V]) Get(k K) (V, bool, error) {
	var v V
	raw, ok, err := c.store.Get(c.keyOf(k))
	if err != nil || !ok {
		return v, false, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, nil
	}
	return v, true, nil
}

// Set stores v for k.
func (c *Cache[K, V]) Set(k K, v V) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.PutSeconds(c.keyOf(k), string(b), int(c.ttl.Seconds()))
}

// Invalidate drops the cached value for k.
func (c *Cache[K, V]) Invalidate(k K) error { return c.store.Delete(c.keyOf(k)) }

// GetOrLoad returns the cached value or loads, stores and returns it.
func (c *Cache[K, V]) GetOrLoad(k K, load func(K) (V, error)) (V, error) {
	if v, ok, err := c.Get(k); err == nil && ok {
		return v, nil
	}
	v, err := load(k)
	if err != nil {
		return v, err
	}
	if err := c.Set(k, v); err != nil {
		return v, err
	}
	return v, nil
}

// NewTally returns two closures over one counter family: inc adds one to the
// counter under key and returns the new value, read returns the current value.
func NewTally(s *Store, name string) (inc func(key string) (int, error), read func(key string) (int, error)) {
	prefix := "tally/" + name + "/"
	read = func(key string) (int, error) {
		v, ok, err := s.Get(prefix + key)
		if err != nil || !ok {
			return 0, err
		}
		return strconv.Atoi(v)
	}
	inc = func(key string) (int, error) {
		n, err := read(key)
		if err != nil {
			return 0, err
		}
		n++
		return n, s.PutSeconds(prefix+key, strconv.Itoa(n), 0) // EXPECT kvcounter
	}
	return inc, read
}
