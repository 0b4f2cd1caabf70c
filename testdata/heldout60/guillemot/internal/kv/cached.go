package kv

import (
	"context"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Cached keeps recently read values of a namespace in process memory. It is
// meant for values that change rarely (public profiles, policy, settings).
type Cached struct {
	*Namespace
	mem   *ristretto.Cache[string, []byte]
	local time.Duration
}

// NewCached wraps ns with an in-memory cache holding up to maxBytes of values
// for at most local.
func NewCached(ns *Namespace, maxBytes int64, local time.Duration) (*Cached, error) {
	mem, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: maxBytes / 64,
		MaxCost:     maxBytes,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &Cached{Namespace: ns, mem: mem, local: local}, nil
}

// Get serves key from memory when it can and from KV otherwise.
func (c *Cached) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := c.mem.Get(key); ok {
		trace.SpanFromContext(ctx).SetAttributes(attribute.Bool("kv.memory_hit", true))
		return v, nil
	}
	v, err := c.Namespace.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	c.mem.SetWithTTL(key, v, int64(len(v)), c.local)
	return v, nil
}

// Forget drops key from memory after the caller changed it in KV.
func (c *Cached) Forget(key string) { c.mem.Del(key) }
