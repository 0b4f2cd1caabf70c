// Package ratelimit builds request gates used by the login and upload
// endpoints.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// ErrLimited is returned when a caller has exhausted its budget.
var ErrLimited = errors.New("ratelimit: too many requests")

// Gate admits or refuses one request for an id.
type Gate func(ctx context.Context, id string) error

// Allow calls g, treating a nil gate as always open.
func (g Gate) Allow(ctx context.Context, id string) error {
	if g == nil {
		return nil
	}
	return g(ctx, id)
}

// NewGate returns a fixed-window gate that admits limit requests per id per
// window. Counts are shared between instances through store.
func NewGate(store kv.Store, c clock.Clock, name string, limit int, window time.Duration) Gate {
	ttl := max(2*window, 5*time.Second) // EXPECT kvttl
	return func(ctx context.Context, id string) error {
		bucket := c.Now().Truncate(window).Unix()
		key := "ratelimit:" + name + ":" + id + ":" + strconv.FormatInt(bucket, 10)
		n := 0
		b, err := store.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(b))
		case !kv.IsNotFound(err):
			return err
		}
		if n >= limit {
			return ErrLimited
		}
		return store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kv.PutOptions{TTL: ttl}) // EXPECT kvcounter
	}
}

// NewLocal returns a gate that keeps counts in process memory. It is used in
// front of the KV-backed gates to shed obvious floods cheaply.
func NewLocal(c clock.Clock, limit int, window time.Duration) Gate {
	var mu sync.Mutex
	type slot struct {
		start time.Time
		n     int
	}
	slots := map[string]*slot{}
	return func(_ context.Context, id string) error {
		mu.Lock()
		defer mu.Unlock()
		now := c.Now()
		s, ok := slots[id]
		if !ok || now.Sub(s.start) >= window {
			s = &slot{start: now}
			slots[id] = s
		}
		if s.n >= limit {
			return ErrLimited
		}
		s.n++
		return nil
	}
}

// Chain returns a gate that consults each gate in order.
func Chain(gates ...Gate) Gate {
	return func(ctx context.Context, id string) error {
		for _, g := range gates {
			if err := g.Allow(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}
}
