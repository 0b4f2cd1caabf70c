// Package guard wraps a kvstore.Store with a circuit breaker so a failing KV
// API cannot take request handlers down with it.
package guard

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"example.com/juniper/internal/kvstore"
)

// ErrOpen is returned while the breaker is open.
var ErrOpen = errors.New("guard: storage circuit open")

type state int

const (
	closed state = iota
	open
	halfOpen
)

// Breaker trips after threshold consecutive failures and rejects calls for
// cooldown, then lets a single probe through.
type Breaker struct {
	next      kvstore.Store
	threshold int
	cooldown  time.Duration
	now       func() time.Time
	log       *slog.Logger

	mu        sync.Mutex
	st        state
	failures  int
	openUntil time.Time
}

// NewBreaker wraps next.
func NewBreaker(next kvstore.Store, threshold int, cooldown time.Duration, log *slog.Logger) *Breaker {
	return &Breaker{next: next, threshold: max(threshold, 1), cooldown: cooldown, now: time.Now, log: log}
}

func (b *Breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.st == halfOpen, b.st == open && b.now().Before(b.openUntil):
		return ErrOpen
	case b.st == open:
		b.st = halfOpen
	}
	return nil
}

func (b *Breaker) record(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil || errors.Is(err, kvstore.ErrNotFound) || errors.Is(err, context.Canceled) {
		b.failures, b.st = 0, closed
		return
	}
	b.failures++
	if b.st == halfOpen || b.failures >= b.threshold {
		if b.st != open && b.log != nil {
			b.log.Warn("storage breaker opened", "failures", b.failures, "err", err)
		}
		b.st, b.openUntil = open, b.now().Add(b.cooldown)
	}
}

func guarded[T any](b *Breaker, fn func() (T, error)) (T, error) {
	if err := b.allow(); err != nil {
		var zero T
		return zero, err
	}
	v, err := fn()
	b.record(err)
	return v, err
}

func (b *Breaker) Get(ctx context.Context, key string) ([]byte, error) {
	return guarded(b, func() ([]byte, error) { return b.next.Get(ctx, key) })
}

func (b *Breaker) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	_, err := guarded(b, func() (struct{}, error) { return struct{}{}, b.next.Put(ctx, key, value, opts...) })
	return err
}

func (b *Breaker) Delete(ctx context.Context, key string) error {
	_, err := guarded(b, func() (struct{}, error) { return struct{}{}, b.next.Delete(ctx, key) })
	return err
}

func (b *Breaker) List(ctx context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	return guarded(b, func() (kvstore.Page, error) { return b.next.List(ctx, q) })
}
