// Package writebehind buffers writes in memory and flushes them from a
// single goroutine on a ticker. Repeated writes to one key between two
// flushes collapse into the last one, so each key is written at most once
// per interval.
package writebehind

import (
	"context"
	"errors"
	"time"

	"example.com/wayfarer/internal/storage"
)

type Request struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// Buffer owns the writer goroutine.
type Buffer struct {
	store    storage.Store
	in       chan Request
	every    time.Duration
	capacity int
	onError  func(key string, err error)
	done     chan struct{}
}

// Every sets the flush interval (default 15s, never below 5s).
func Every(d time.Duration) storage.Option[Buffer] {
	return func(b *Buffer) { b.every = max(d, 5*time.Second) }
}

func OnError(f func(key string, err error)) storage.Option[Buffer] {
	return func(b *Buffer) { b.onError = f }
}

// New builds a buffer over s; call Run to start it.
func New(s storage.Store, opts ...storage.Option[Buffer]) *Buffer {
	b := storage.Apply(Buffer{store: s, every: 15 * time.Second, capacity: 1024}, opts...)
	b.in = make(chan Request, b.capacity)
	b.done = make(chan struct{})
	if b.onError == nil {
		b.onError = func(string, error) {}
	}
	return &b
}

// ErrFull is returned by Submit when the buffer cannot take more writes.
var ErrFull = errors.New("writebehind: buffer full")

// Submit queues r without blocking.
func (b *Buffer) Submit(r Request) error {
	select {
	case b.in <- r:
		return nil
	default:
		return ErrFull
	}
}

// Run is the single writer; call it once. It returns after ctx is
// cancelled and the pending writes have been flushed.
func (b *Buffer) Run(ctx context.Context) {
	defer close(b.done)

	pending := make(map[string]Request)
	ticker := time.NewTicker(b.every)
	defer ticker.Stop()
	for {
		select {
		case r := <-b.in:
			pending[r.Key] = r
		case <-ticker.C:
			b.flush(ctx, pending)
		case <-ctx.Done():
			b.flush(context.WithoutCancel(ctx), pending)
			return
		}
	}
}

func (b *Buffer) Done() <-chan struct{} { return b.done }

func (b *Buffer) flush(ctx context.Context, pending map[string]Request) error {
	var firstErr error
	for key, r := range pending {
		var err error
		if ts, ok := b.store.(storage.TTLSetter); ok && r.TTL > 0 {
			err = ts.PutTTL(ctx, key, r.Value, r.TTL)
		} else {
			err = b.store.Put(ctx, key, r.Value, storage.WithTTL(r.TTL))
		}
		if err != nil {
			b.onError(key, err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		delete(pending, key)
	}
	return firstErr
}
