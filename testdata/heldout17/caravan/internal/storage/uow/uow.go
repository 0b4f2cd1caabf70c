// Package uow implements a unit of work over the storage port: reads see the
// work's own pending writes, and writes are sent together on Commit.
package uow

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"example.com/caravan/internal/storage"
)

type op struct {
	value []byte
	ttl   time.Duration
}

// Work buffers the writes of one use case.
type Work struct {
	st      storage.Store
	mu      sync.Mutex
	pending map[string]op
	order   []string
	done    bool
}

// ErrDone is returned when a finished Work is used again.
var ErrDone = errors.New("uow: unit of work already finished")

// Begin starts a unit of work on st.
func Begin(st storage.Store) *Work { return &Work{st: st, pending: map[string]op{}} }

// Get returns the pending value for key if there is one, else reads st.
func (w *Work) Get(ctx context.Context, key string) ([]byte, error) {
	w.mu.Lock()
	p, ok := w.pending[key]
	w.mu.Unlock()
	if !ok {
		return w.st.Get(ctx, key)
	}
	return slices.Clone(p.value), nil
}

// Put records a write of key.
func (w *Work) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	return w.record(key, op{value: slices.Clone(value), ttl: ttl})
}

func (w *Work) record(key string, o op) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return ErrDone
	}
	if _, seen := w.pending[key]; !seen {
		w.order = append(w.order, key)
	}
	w.pending[key] = o
	return nil
}

// Commit sends the buffered writes, the puts in one bulk request when the
// store supports it.
func (w *Work) Commit(ctx context.Context) error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return ErrDone
	}
	w.done = true
	items := make([]storage.Item, 0, len(w.order))
	for _, k := range w.order {
		items = append(items, storage.Item{Key: k, Value: w.pending[k].value, TTL: w.pending[k].ttl})
	}
	w.mu.Unlock()
	return storage.PutAll(ctx, w.st, items)
}

// Finish commits when *errp is nil and discards the work otherwise. It is
// meant to be deferred: defer w.Finish(ctx, &err).
func (w *Work) Finish(ctx context.Context, errp *error) {
	if *errp == nil {
		*errp = w.Commit(ctx)
		return
	}
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
