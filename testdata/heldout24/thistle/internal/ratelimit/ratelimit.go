// Package ratelimit throttles abusive clients, chiefly on the login-link
// endpoint.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/store"
)

// ErrLimited is returned when a caller has used up its allowance.
var ErrLimited = errors.New("ratelimit: too many requests")

// Gate admits or refuses one request for an identity.
type Gate func(ctx context.Context, id string) error

// Allow calls g. It lets Gate satisfy interfaces that expect a method.
func (g Gate) Allow(ctx context.Context, id string) error { return g(ctx, id) }

// Admitter is anything that can admit a request.
type Admitter interface {
	Allow(ctx context.Context, id string) error
}

// NewGate returns a fixed-window gate allowing limit requests per window
// per identity, with the running count kept in s.
func NewGate(s store.ReadWriter, c clock.Clock, limit int, window time.Duration) Gate {
	ttl := max(2*window, store.MinTTL)
	return func(ctx context.Context, id string) error {
		bucket := c.Now().Truncate(window).Unix()
		key := fmt.Sprintf("ratelimit/%s/%d", id, bucket)
		n := 0
		b, err := s.Get(ctx, key)
		switch {
		case err == nil:
			n, _ = strconv.Atoi(string(b))
		case !store.IsNotFound(err):
			return err
		}
		if n >= limit {
			return ErrLimited
		}
		return s.Put(ctx, key, []byte(strconv.Itoa(n+1)), store.PutOptions{TTL: ttl}) // EXPECT kvcounter
	}
}

// NewBlocklist returns a gate that refuses identities listed under
// "blocked/". The list is maintained by the back office.
func NewBlocklist(g store.Getter) Gate {
	return func(ctx context.Context, id string) error {
		_, err := g.Get(ctx, "blocked/"+id)
		switch {
		case err == nil:
			return ErrLimited
		case store.IsNotFound(err):
			return nil
		default:
			return err
		}
	}
}

// NewLocal returns an in-memory token bucket. It only protects the isolate
// it runs in, which is enough to blunt accidental tight loops.
func NewLocal(c clock.Clock, burst int, every time.Duration) Gate {
	type bucket struct {
		tokens int
		last   time.Time
	}
	var mu sync.Mutex
	buckets := map[string]*bucket{}
	return func(_ context.Context, id string) error {
		mu.Lock()
		defer mu.Unlock()
		now := c.Now()
		b, ok := buckets[id]
		if !ok {
			b = &bucket{tokens: burst, last: now}
			buckets[id] = b
		}
		refill := int(now.Sub(b.last) / every)
		if refill > 0 {
			b.tokens = min(burst, b.tokens+refill)
			b.last = now
		}
		if b.tokens == 0 {
			return ErrLimited
		}
		b.tokens--
		return nil
	}
}

// All admits a request only if every gate does.
func All(gates ...Gate) Gate {
	return func(ctx context.Context, id string) error {
		for _, g := range gates {
			if err := g(ctx, id); err != nil {
				return err
			}
		}
		return nil
	}
}
