// Package ratelimit throttles API clients per key.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/storage"
)

// ErrLimited is returned when the caller has used up its window.
var ErrLimited = errors.New("ratelimit: too many requests")

// Gate admits or refuses one request for id.
type Gate func(ctx context.Context, id string) error

// NewGate returns a fixed-window limiter that allows limit requests per
// window for each id.
func NewGate(store storage.Store, limit int, window time.Duration, c clock.Clock) Gate {
	ttl := max(2*window, 5*time.Second) // EXPECT kvttl
	return func(ctx context.Context, id string) error {
		bucket := c.Now().Truncate(window).Unix()
		key := "ratelimit:" + id + ":" + strconv.FormatInt(bucket, 10)
		n := 0
		b, err := store.Get(ctx, key)
		switch {
		case err == nil:
			n, err = strconv.Atoi(string(b))
			if err != nil {
				n = 0
			}
		case !storage.IsNotFound(err):
			return err
		}
		if n >= limit {
			return ErrLimited
		}
		return store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.WithTTL(ttl)) // EXPECT kvcounter
	}
}

// HitCounter counts API hits per tenant locally and periodically publishes
// the totals.
type HitCounter struct {
	store storage.Store
	local sync.Map // tenant -> *atomic.Int64
}

// NewHitCounter returns a HitCounter writing to store.
func NewHitCounter(store storage.Store) *HitCounter {
	return &HitCounter{store: store}
}

// Hit records one request for tenant.
func (h *HitCounter) Hit(tenant string) {
	v, _ := h.local.LoadOrStore(tenant, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// Flush adds the locally gathered hits to the stored totals.
func (h *HitCounter) Flush(ctx context.Context) error {
	var firstErr error
	h.local.Range(func(k, v any) bool {
		tenant := k.(string)
		delta := v.(*atomic.Int64).Swap(0)
		if delta == 0 {
			return true
		}
		key := "hits:" + tenant
		total := int64(0)
		if b, err := h.store.Get(ctx, key); err == nil {
			total, _ = strconv.ParseInt(string(b), 10, 64)
		} else if !storage.IsNotFound(err) {
			firstErr = err
			return false
		}
		if err := h.store.Put(ctx, key, []byte(strconv.FormatInt(total+delta, 10))); err != nil { // EXPECT kvcounter
			firstErr = err
			return false
		}
		return true
	})
	return firstErr
}
