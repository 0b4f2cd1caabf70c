package kvstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// ErrOpen is returned while the breaker is open.
var ErrOpen = errors.New("kvstore: circuit open")

// Breaker is a Store decorator that fails fast after threshold consecutive
// failures and lets calls through again after cooldown.
type Breaker struct {
	next      Store
	threshold int
	cooldown  time.Duration
	log       *slog.Logger

	mu       sync.Mutex
	failures int
	openedAt time.Time
}

// Wrap decorates s according to mode ("direct" or "guarded").
func Wrap(s Store, mode string, threshold int, cooldown time.Duration, log *slog.Logger) Store {
	if mode != "guarded" {
		return s
	}
	return &Breaker{next: s, threshold: max(threshold, 1), cooldown: cooldown, log: log}
}

// guarded runs call unless the breaker is open, and records its outcome. A
// miss is an answer, not a failure.
func guarded[T any](b *Breaker, call func() (T, error)) (T, error) {
	b.mu.Lock()
	open := b.failures >= b.threshold && time.Since(b.openedAt) < b.cooldown
	b.mu.Unlock()
	if open {
		var zero T
		return zero, ErrOpen
	}
	v, err := call()
	failed := err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, context.Canceled)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !failed:
		b.failures = 0
	case b.failures+1 == b.threshold:
		b.log.Warn("store breaker open", "cooldown", b.cooldown, "err", err)
		fallthrough
	default:
		b.failures++
		b.openedAt = time.Now()
	}
	return v, err
}

func (b *Breaker) Get(ctx context.Context, key string) ([]byte, error) {
	return guarded(b, func() ([]byte, error) { return b.next.Get(ctx, key) })
}

func (b *Breaker) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	_, err := guarded(b, func() (struct{}, error) { return struct{}{}, b.next.Put(ctx, key, value, opts...) })
	return err
}

func (b *Breaker) Delete(ctx context.Context, key string) error {
	_, err := guarded(b, func() (struct{}, error) { return struct{}{}, b.next.Delete(ctx, key) })
	return err
}

func (b *Breaker) List(ctx context.Context, q ListQuery) (Page, error) {
	return guarded(b, func() (Page, error) { return b.next.List(ctx, q) })
}
