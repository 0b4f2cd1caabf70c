package kvstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"example.com/meadow/internal/storage"
)

type bufferedWrite struct {
	value []byte
	opts  storage.PutOptions
}

// Buffered coalesces writes per key and sends only each key's latest value
// when flushed. It suits high-churn, low-value records such as "last lesson
// opened", where losing a few seconds on a crash is fine.
type Buffered struct {
	inner   storage.Store
	mu      sync.Mutex
	pending map[string]bufferedWrite
}

// NewBuffered wraps inner.
func NewBuffered(inner storage.Store) *Buffered {
	return &Buffered{inner: inner, pending: make(map[string]bufferedWrite)}
}

// Get returns a pending value if one is buffered, else reads through.
func (b *Buffered) Get(ctx context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	w, ok := b.pending[key]
	b.mu.Unlock()
	if ok {
		return w.value, nil
	}
	return b.inner.Get(ctx, key)
}

// Put buffers the write.
func (b *Buffered) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending[key] = bufferedWrite{value: append([]byte(nil), value...), opts: opts}
	return nil
}

// Flush writes every pending key once.
func (b *Buffered) Flush(ctx context.Context) error {
	b.mu.Lock()
	pending := b.pending
	b.pending = make(map[string]bufferedWrite)
	b.mu.Unlock()
	var errs []error
	for key, w := range pending {
		errs = append(errs, b.inner.Put(ctx, key, w.value, w.opts))
	}
	return errors.Join(errs...)
}

// Close flushes whatever is still buffered.
func (b *Buffered) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return b.Flush(ctx)
}
