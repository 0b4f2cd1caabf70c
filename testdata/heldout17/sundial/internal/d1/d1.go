// Package d1 holds sundial's authoritative state: the relational tables and
// the counter object. The Worker reaches them through these interfaces; the
// in-memory implementations back tests and local development.
package d1

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
)

// ErrNoRows is returned when a row does not exist.
var ErrNoRows = errors.New("d1: no rows")

// ErrConflict is returned when an insert violates a unique constraint.
var ErrConflict = errors.New("d1: unique constraint failed")

// Table is a keyed table of rows of type T.
type Table[T any] interface {
	Get(ctx context.Context, id string) (T, error)
	Upsert(ctx context.Context, id string, row T) error
	// Insert fails with ErrConflict when id already exists; the check and the
	// insert are one statement.
	Insert(ctx context.Context, id string, row T) error
	Select(ctx context.Context, where func(T) bool, limit int) ([]T, error)
}

// MemTable is an in-memory Table.
type MemTable[T any] struct {
	mu   sync.RWMutex
	rows map[string]T
}

// NewMemTable returns an empty table.
func NewMemTable[T any]() *MemTable[T] { return &MemTable[T]{rows: make(map[string]T)} }

// Get implements Table.
func (t *MemTable[T]) Get(_ context.Context, id string) (T, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	row, ok := t.rows[id]
	if !ok {
		return row, ErrNoRows
	}
	return row, nil
}

// Upsert implements Table.
func (t *MemTable[T]) Upsert(_ context.Context, id string, row T) error {
	t.mu.Lock()
	t.rows[id] = row
	t.mu.Unlock()
	return nil
}

// Insert implements Table.
func (t *MemTable[T]) Insert(_ context.Context, id string, row T) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.rows[id]; ok {
		return ErrConflict
	}
	t.rows[id] = row
	return nil
}

// Select implements Table, in id order.
func (t *MemTable[T]) Select(_ context.Context, where func(T) bool, limit int) ([]T, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []T
	for _, id := range slices.Sorted(maps.Keys(t.rows)) {
		if where == nil || where(t.rows[id]) {
			out = append(out, t.rows[id])
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Counter is the single-writer counter object. Each name is incremented
// atomically; reads observe every completed increment.
type Counter interface {
	Add(ctx context.Context, name string, delta int64) (int64, error)
	Value(ctx context.Context, name string) (int64, error)
	Top(ctx context.Context, prefix string, n int) (map[string]int64, error)
}

// MemCounter is an in-memory Counter.
type MemCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

// NewMemCounter returns an empty counter.
func NewMemCounter() *MemCounter { return &MemCounter{n: make(map[string]int64)} }

// Add implements Counter.
func (c *MemCounter) Add(_ context.Context, name string, delta int64) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name] += delta
	return c.n[name], nil
}

// Value implements Counter.
func (c *MemCounter) Value(_ context.Context, name string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name], nil
}

// Top implements Counter: the n largest counters whose name has prefix.
func (c *MemCounter) Top(_ context.Context, prefix string, n int) (map[string]int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := slices.DeleteFunc(slices.Collect(maps.Keys(c.n)), func(k string) bool { return !strings.HasPrefix(k, prefix) })
	slices.SortFunc(names, func(a, b string) int { return int(c.n[b] - c.n[a]) })
	out := make(map[string]int64, n)
	for _, k := range names[:min(n, len(names))] {
		out[k] = c.n[k]
	}
	return out, nil
}
