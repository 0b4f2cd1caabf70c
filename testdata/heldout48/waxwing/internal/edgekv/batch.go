//go:build js && wasm

package edgekv

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lanternforge/waxwing/internal/retry"
)

// Batch stages the writes of one request. Handlers call Put while
// they decide the response and Flush afterwards, usually from WaitUntil.
type Batch struct {
	kv     *Logged
	writes map[string]staged
	order  []string
}

type staged struct {
	value string
	ttl   time.Duration
}

func NewBatch(l *Logged) *Batch { return &Batch{kv: l, writes: map[string]staged{}} }

// Put stages value for key; the last staged write of a key wins.
func (b *Batch) Put(key, value string, ttl time.Duration) {
	if _, ok := b.writes[key]; !ok {
		b.order = append(b.order, key)
	}
	b.writes[key] = staged{value: value, ttl: ttl}
}

// Flush applies the staged writes in the order their keys were first staged.
func (b *Batch) Flush(ctx context.Context) error {
	var errs []error
	for _, key := range b.order {
		w := b.writes[key]
		errs = append(errs, retry.Do(ctx, retry.Default, func(context.Context) error {
			return b.kv.Put(key, w.value, w.ttl)
		}))
	}
	b.writes, b.order = map[string]staged{}, nil
	return errors.Join(errs...)
}

// memo is the isolate-wide first tier of Cache. An isolate serves many
// requests, so entries outlive the request that loaded them.
var memo sync.Map // key -> memoEntry

type memoEntry struct {
	value string
	until time.Time
}

// Cache puts isolate memory in front of a KV binding.
type Cache struct {
	kv     *Logged
	maxAge time.Duration
}

func NewCache(l *Logged, maxAge time.Duration) *Cache { return &Cache{kv: l, maxAge: maxAge} }

// Get returns the value of key from memory or KV.
func (c *Cache) Get(key string) (string, bool, error) {
	if e, ok := memo.Load(key); ok && time.Now().Before(e.(memoEntry).until) {
		return e.(memoEntry).value, true, nil
	}
	v, found, err := c.kv.Get(key)
	if found {
		memo.Store(key, memoEntry{value: v, until: time.Now().Add(c.maxAge)})
	}
	return v, found, err
}

// Set writes through to KV. KV keeps nothing for less than a minute, so
// shorter lifetimes are raised to one.
func (c *Cache) Set(key, value string, ttl time.Duration) error {
	memo.Store(key, memoEntry{value: value, until: time.Now().Add(c.maxAge)})
	return c.kv.Put(key, value, max(ttl, time.Minute))
}

// Forget drops key from this isolate's memory, after a write that the next
// Get here must see.
func (c *Cache) Forget(key string) { memo.Delete(key) }
