package kv

import (
	"context"
	"errors"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Cached puts a process-local ristretto cache in front of a Namespace for
// read-mostly keys: routes, certificates, tenant settings. Local entries live
// for localTTL, which is kept short because other replicas write too.
type Cached struct {
	ns       *Namespace
	local    *ristretto.Cache[string, []byte]
	localTTL time.Duration
}

// NewCached wraps ns with a local cache of about maxBytes.
func NewCached(ns *Namespace, maxBytes int64, localTTL time.Duration) (*Cached, error) {
	local, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: 10 * (maxBytes / 1024),
		MaxCost:     maxBytes,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &Cached{ns: ns, local: local, localTTL: localTTL}, nil
}

// Namespace returns the namespace behind the cache.
func (c *Cached) Namespace() *Namespace { return c.ns }

// Get serves key from the local cache, falling back to KV.
func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.local.Get(key); ok {
		trace.SpanFromContext(ctx).SetAttributes(attribute.Bool("kv.local_hit", true))
		return v, nil
	}
	v, err := c.ns.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.local.SetWithTTL(key, v, int64(len(v)), c.localTTL)
	return v, nil
}

// Invalidate drops key from the local cache only.
func (c *Cached) Invalidate(key string) { c.local.Del(key) }

// Fill returns the value under key. On a miss it calls load and stores the
// result in KV for ttl, so the next replica that asks finds it there.
func (c *Cached) Fill(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err := c.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	v, err = load(ctx)
	if err != nil {
		return nil, err
	}
	// KV refuses expirations shorter than a minute.
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := c.ns.Put(ctx, key, v, ttl); err != nil {
		return nil, err
	}
	c.local.SetWithTTL(key, v, int64(len(v)), c.localTTL)
	return v, nil
}
