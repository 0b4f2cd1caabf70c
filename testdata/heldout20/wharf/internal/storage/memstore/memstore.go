// Package memstore is an in-memory storage.Store for tests and local runs.
// It enforces the same expiry floor and pages listings the way the KV
// binding does.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/wharf/internal/storage"
)

type item struct {
	value     []byte
	expiresAt time.Time
}

// Store is a goroutine-safe in-memory storage.Store.
type Store struct {
	mu    sync.RWMutex
	items map[string]item
	now   func() time.Time
}

var _ storage.Store = (*Store)(nil)

// New returns an empty Store using now as its clock (time.Now when nil).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{items: map[string]item{}, now: now}
}

func (s *Store) live(it item) bool {
	return it.expiresAt.IsZero() || s.now().Before(it.expiresAt)
}

// Get implements storage.Reader.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[key]
	if !ok || !s.live(it) {
		return nil, fmt.Errorf("mem get %q: %w", key, storage.ErrNotFound)
	}
	return slices.Clone(it.value), ctx.Err()
}

// Put implements storage.Writer.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	now := s.now()
	it := item{value: slices.Clone(value)}
	switch {
	case opts.TTL > 0 && opts.TTL < storage.MinTTL:
		return fmt.Errorf("mem put %q: ttl %s below %s", key, opts.TTL, storage.MinTTL)
	case opts.TTL > 0:
		it.expiresAt = now.Add(opts.TTL)
	case opts.ExpireAt.IsZero():
	case opts.ExpireAt.Before(now.Add(storage.MinTTL)):
		return fmt.Errorf("mem put %q: expiration %s too soon", key, opts.ExpireAt)
	default:
		it.expiresAt = opts.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key] = it
	return ctx.Err()
}

// Delete implements storage.Writer.
func (s *Store) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return ctx.Err()
}

// List implements storage.Reader. The cursor is the offset into the sorted
// key set, rendered as a decimal string.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	limit := q.Limit
	if limit <= 0 || limit > storage.MaxPage {
		limit = storage.MaxPage
	}
	start, err := strconv.Atoi(cmp.Or(q.Cursor, "0"))
	if err != nil {
		return storage.Page{}, fmt.Errorf("mem list: bad cursor %q", q.Cursor)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for k, it := range s.items {
		if strings.HasPrefix(k, q.Prefix) && s.live(it) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	end := min(start+limit, len(names))
	page := storage.Page{Complete: end >= len(names)}
	for _, n := range names[min(start, end):end] {
		page.Entries = append(page.Entries, storage.Entry{Name: n, ExpiresAt: s.items[n].expiresAt})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, ctx.Err()
}
