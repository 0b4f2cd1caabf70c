// Package tiered puts a process-local cache in front of a storage.Store.
package tiered

import (
	"context"
	"errors"
	"sync"
	"time"

	"example.com/petrel/internal/storage"
)

// Loader computes a value from the source of truth on a miss.
type Loader func(ctx context.Context) ([]byte, error)

type options struct {
	ttl      time.Duration
	localTTL time.Duration
	onEvict  func(key string)
}

type Option func(*options)

func WithTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

func WithLocalTTL(d time.Duration) Option { return func(o *options) { o.localTTL = d } }

// WithEvictHook is called when the in-process tier drops a stale key.
func WithEvictHook(f func(key string)) Option { return func(o *options) { o.onEvict = f } }

func build(opts []Option) options {
	o := options{ttl: 10 * time.Minute, localTTL: 30 * time.Second}
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

type localEntry struct {
	value   []byte
	expires time.Time
}

// local is the in-process tier shared by both cache kinds.
type local struct {
	m       sync.Map
	ttl     time.Duration
	onEvict func(key string)
}

func (l *local) get(key string) ([]byte, bool) {
	v, ok := l.m.Load(key)
	if !ok {
		return nil, false
	}
	if e := v.(localEntry); time.Now().Before(e.expires) {
		return e.value, true
	}
	l.m.Delete(key)
	if l.onEvict != nil {
		l.onEvict(key)
	}
	return nil, false
}

func (l *local) put(key string, b []byte) {
	l.m.Store(key, localEntry{value: b, expires: time.Now().Add(l.ttl)})
}

// ReadThrough serves from a sync.Map, then KV, then the loader. Values
// produced by the loader are written back to KV with the configured TTL.
type ReadThrough struct {
	st    storage.Store
	local *local
	o     options
}

func NewReadThrough(st storage.Store, opts ...Option) *ReadThrough {
	o := build(opts)
	return &ReadThrough{st: st, local: &local{ttl: o.localTTL, onEvict: o.onEvict}, o: o}
}

// Get returns the cached value for key, loading it on a miss.
func (c *ReadThrough) Get(ctx context.Context, key string, load Loader) ([]byte, error) {
	if b, ok := c.local.get(key); ok {
		return b, nil
	}
	b, err := c.st.Get(ctx, key)
	switch {
	case err == nil:
		c.local.put(key, b)
		return b, nil
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	b, err = load(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.st.Put(ctx, key, b, storage.PutOptions{TTL: c.o.ttl}); err != nil {
		return nil, err
	}
	c.local.put(key, b)
	return b, nil
}

// WriteThrough keeps a local tier in front of KV and writes both on Set. KV
// entries never live shorter than a minute, whatever the option says.
type WriteThrough struct {
	st    storage.Store
	local *local
	o     options
}

func NewWriteThrough(st storage.Store, opts ...Option) *WriteThrough {
	o := build(opts)
	if o.ttl < time.Minute {
		o.ttl = time.Minute
	}
	return &WriteThrough{st: st, local: &local{ttl: o.localTTL, onEvict: o.onEvict}, o: o}
}

func (c *WriteThrough) Get(ctx context.Context, key string) ([]byte, error) {
	if b, ok := c.local.get(key); ok {
		return b, nil
	}
	b, err := c.st.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.local.put(key, b)
	return b, nil
}

func (c *WriteThrough) Set(ctx context.Context, key string, value []byte) error {
	if err := c.st.Put(ctx, key, value, storage.PutOptions{TTL: c.o.ttl}); err != nil {
		return err
	}
	c.local.put(key, value)
	return nil
}
