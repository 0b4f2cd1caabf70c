// Package cache is a two-level read-through cache: a per-isolate sync.Map in
// front of the key-value store. Entries close to local expiry are refreshed
// ahead of time in the background, and Set buffers writes until Flush.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/storage"
)

// ErrNoData is returned by loaders (and then by Get) when the source has
// nothing for the key; the miss is cached too.
var ErrNoData = errors.New("cache: no data")

// Loader computes a value from the source of truth.
type Loader func(ctx context.Context) ([]byte, error)

const negMarker = "\x00nodata"

type entry struct {
	val     []byte
	neg     bool
	fetched time.Time
}

type pending struct {
	val []byte
	ttl time.Duration
}

// shared is the per-isolate state; every Cache bound from the same root
// shares it.
type shared struct {
	local      sync.Map // key -> entry
	refreshing sync.Map // key -> struct{}

	mu    sync.Mutex
	dirty map[string]pending
}

type Cache struct {
	store        storage.Store
	localTTL     time.Duration
	refreshAhead time.Duration
	negativeTTL  time.Duration
	spawn        func(func())
	now          func() time.Time
	*shared
}

// New builds a cache. spawn runs background refreshes; in the Worker it is
// cloudflare.WaitUntil, elsewhere a plain goroutine.
func New(store storage.Store, c config.Cache, spawn func(func())) *Cache {
	if spawn == nil {
		spawn = func(f func()) { go f() }
	}
	return &Cache{
		store:        store,
		localTTL:     c.LocalTTL.Duration,
		refreshAhead: c.RefreshAhead.Duration,
		negativeTTL:  c.NegativeTTL.Duration,
		spawn:        spawn,
		now:          time.Now,
		shared:       &shared{dirty: map[string]pending{}},
	}
}

// Bind returns a Cache that shares c's local level and write buffer but reads
// and writes through store. The Worker binds its per-request store to the
// per-isolate root this way.
func (c *Cache) Bind(store storage.Store) *Cache {
	b := *c
	b.store = store
	return &b
}

func (c *Cache) remember(key string, val []byte, neg bool) {
	c.local.Store(key, entry{val: val, neg: neg, fetched: c.now()})
}

// Get returns the value for key, loading and storing it for ttl on a miss.
func (c *Cache) Get(ctx context.Context, key string, ttl time.Duration, load Loader) ([]byte, error) {
	if v, ok := c.local.Load(key); ok {
		e := v.(entry)
		age := c.now().Sub(e.fetched)
		if age < c.localTTL {
			if age >= c.localTTL-c.refreshAhead {
				c.refreshAsync(key, ttl, load)
			}
			if e.neg {
				return nil, ErrNoData
			}
			return e.val, nil
		}
		c.local.Delete(key)
	}
	raw, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		if string(raw) == negMarker {
			c.remember(key, nil, true)
			return nil, ErrNoData
		}
		c.remember(key, raw, false)
		return raw, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("cache: get %s: %w", key, err)
	}
	return c.fill(ctx, key, ttl, load)
}

func (c *Cache) fill(ctx context.Context, key string, ttl time.Duration, load Loader) ([]byte, error) {
	val, err := load(ctx)
	if errors.Is(err, ErrNoData) {
		c.remember(key, nil, true)
		if perr := c.store.Put(ctx, key, []byte(negMarker), storage.PutOptions{TTL: c.negativeTTL}); perr != nil { // DEBATABLE kvttl
			slog.WarnContext(ctx, "cache: store miss", "key", key, "err", perr)
		}
		return nil, ErrNoData
	}
	if err != nil {
		return nil, err
	}
	c.remember(key, val, false)
	return val, c.put(ctx, key, val, ttl)
}

// put writes through to the store, keeping entries for at least a minute.
func (c *Cache) put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl > 0 && ttl < time.Minute {
		ttl = time.Minute
	}
	return c.store.Put(ctx, key, val, storage.PutOptions{TTL: ttl})
}

func (c *Cache) refreshAsync(key string, ttl time.Duration, load Loader) {
	if _, busy := c.refreshing.LoadOrStore(key, struct{}{}); busy {
		return
	}
	c.spawn(func() {
		defer c.refreshing.Delete(key)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.fill(ctx, key, ttl, load); err != nil && !errors.Is(err, ErrNoData) {
			slog.Warn("cache: refresh ahead", "key", key, "err", err)
		}
	})
}

// Set stores val locally now and in the store at the next Flush.
func (c *Cache) Set(key string, val []byte, ttl time.Duration) {
	c.remember(key, val, false)
	c.mu.Lock()
	c.dirty[key] = pending{val: val, ttl: ttl}
	c.mu.Unlock()
}

// Flush writes buffered values, in key order. Failed keys are re-queued
// unless a newer Set replaced them meanwhile.
func (c *Cache) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.dirty
	c.dirty = map[string]pending{}
	c.mu.Unlock()

	var errs []error
	for _, k := range slices.Sorted(maps.Keys(batch)) {
		p := batch[k]
		if err := c.put(ctx, k, p.val, p.ttl); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			c.mu.Lock()
			if _, newer := c.dirty[k]; !newer {
				c.dirty[k] = p
			}
			c.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}
