package kvstore

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// Cache is a small in-process map in front of a KV namespace. Concurrent
// misses for one key share a single fill.
type Cache struct {
	mu       sync.Mutex
	capacity int
	localTTL time.Duration
	items    map[string]entry
	inflight map[string]*flight
	backend  ReadWriter
	ttl      time.Duration
}

type entry struct {
	val     string
	expires time.Time
}

type flight struct {
	done chan struct{}
	val  string
	err  error
}

// NewCache keeps up to capacity entries for localTTL in memory and writes
// fills to backend with ttl.
func NewCache(backend ReadWriter, capacity int, localTTL, ttl time.Duration) *Cache {
	return &Cache{capacity: capacity, localTTL: localTTL, items: map[string]entry{}, inflight: map[string]*flight{}, backend: backend, ttl: ttl}
}

// Fetch returns key from memory, then KV, then load. What load returns is
// written to KV and kept in memory.
func (c *Cache) Fetch(ctx context.Context, key string, load func(context.Context) (string, error)) (string, error) {
	c.mu.Lock()
	if e, ok := c.items[key]; ok && time.Now().Before(e.expires) {
		c.mu.Unlock()
		return e.val, nil
	}
	if f, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.val, f.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	c.inflight[key] = f
	c.mu.Unlock()

	f.val, f.err = c.fill(ctx, key, load)

	c.mu.Lock()
	delete(c.inflight, key)
	if f.err == nil {
		if len(c.items) >= c.capacity {
			for k := range c.items { // evict an arbitrary entry
				delete(c.items, k)
				break
			}
		}
		c.items[key] = entry{val: f.val, expires: time.Now().Add(c.localTTL)}
	}
	c.mu.Unlock()
	close(f.done)
	return f.val, f.err
}

func (c *Cache) fill(ctx context.Context, key string, load func(context.Context) (string, error)) (string, error) {
	v, found, err := c.backend.Get(ctx, key)
	if err != nil || found {
		return v, err
	}
	if v, err = load(ctx); err != nil {
		return "", err
	}
	_ = c.backend.Put(ctx, key, v, c.ttl) // on failure the next miss retries
	return v, nil
}

// Forget drops key from memory only.
func (c *Cache) Forget(key string) {
	c.mu.Lock()
	delete(c.items, key)
	c.mu.Unlock()
}

// WriteBehind buffers writes in memory and flushes them on a ticker. Only
// the last value set for a key between two flushes is written.
type WriteBehind struct {
	mu      sync.Mutex
	pending map[string]Item
	dst     Putter
	every   time.Duration
	ttl     time.Duration
	OnError func(error)
}

func NewWriteBehind(dst Putter, every, ttl time.Duration) *WriteBehind {
	return &WriteBehind{pending: map[string]Item{}, dst: dst, every: every, ttl: ttl}
}

// Set queues key=value for the next flush.
func (w *WriteBehind) Set(key, value string) {
	w.mu.Lock()
	w.pending[key] = Item{Key: key, Value: value}
	w.mu.Unlock()
}

// Run flushes every interval until ctx is done, then once more.
func (w *WriteBehind) Run(ctx context.Context) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			w.report(w.Flush(context.WithoutCancel(ctx)))
			return
		case <-t.C:
			w.report(w.Flush(ctx))
		}
	}
}

// Flush writes everything queued so far.
func (w *WriteBehind) Flush(ctx context.Context) error {
	w.mu.Lock()
	batch := w.pending
	w.pending = make(map[string]Item, len(batch))
	w.mu.Unlock()
	return PutAll(ctx, w.dst, w.ttl, slices.Collect(maps.Values(batch))...)
}

func (w *WriteBehind) report(err error) {
	if err != nil && w.OnError != nil {
		w.OnError(err)
	}
}

// Tenants picks the namespace that holds a writer's data. Writers on the Pro
// plan have their own namespace; the rest share one.
type Tenants struct {
	mu     sync.RWMutex
	open   func(namespaceID string) Store
	ids    map[string]string
	opened map[string]Store
	shared Store
}

// NewTenants maps writer IDs to namespace IDs; open turns an ID into a Store.
func NewTenants(shared Store, ids map[string]string, open func(string) Store) *Tenants {
	return &Tenants{open: open, ids: ids, opened: map[string]Store{}, shared: shared}
}

// For returns the store that holds writer's keys.
func (t *Tenants) For(writer string) Store {
	t.mu.RLock()
	st, ok := t.opened[writer]
	t.mu.RUnlock()
	if ok {
		return st
	}
	id, dedicated := t.ids[writer]
	if !dedicated {
		return t.shared
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.opened[writer]; ok {
		return st
	}
	st = t.open(id)
	t.opened[writer] = st
	return st
}

// Shared is the namespace used by writers without their own.
func (t *Tenants) Shared() Store { return t.shared }
