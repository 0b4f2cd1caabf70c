// Package memkv is an in-memory storage.Store for tests and local runs.
package memkv

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/flagship/internal/storage"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata any
}

// Store is a goroutine-safe map with expiry. TTLs records the last TTL
// written per key, for assertions.
type Store struct {
	mu    sync.Mutex
	items map[string]item
	TTLs  map[string]time.Duration
}

// New returns an empty store.
func New() *Store { return &Store{items: map[string]item{}, TTLs: map[string]time.Duration{}} }

func (s *Store) live(k string) (item, bool) {
	it, ok := s.items[k]
	if ok && !it.expires.IsZero() && !time.Now().Before(it.expires) {
		delete(s.items, k)
		return item{}, false
	}
	return it, ok
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.live(key); ok {
		return append([]byte(nil), it.value...), nil
	}
	return nil, &storage.OpError{Op: "get", Key: key, Status: 404, Err: storage.ErrNotFound}
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: append([]byte(nil), value...), metadata: o.Metadata}
	if o.TTL > 0 {
		it.expires = time.Now().Add(o.TTL)
	} else if o.ExpireAt > 0 {
		it.expires = time.Unix(o.ExpireAt, 0)
	}
	s.items[key] = it
	s.TTLs[key] = o.TTL
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages through keys in lexical order; the cursor is the next offset.
func (s *Store) List(_ context.Context, prefix, cursor string, opts ...storage.ListOption) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start, _ := strconv.Atoi(cursor)
	start = min(start, len(names))
	end := min(start+storage.PageSize(opts...), len(names))
	page := storage.Page{Complete: end == len(names)}
	for _, n := range names[start:end] {
		page.Entries = append(page.Entries, storage.Entry{Name: n, Metadata: s.items[n].metadata})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (s *Store) PutMany(ctx context.Context, items []storage.Item) error {
	for _, it := range items {
		_ = s.Put(ctx, it.Key, it.Value, storage.WithTTL(it.TTL), storage.WithMetadata(it.Metadata))
	}
	return nil
}

// GetMany implements the bulk read of storage/cfkv.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range keys {
		if v, err := s.Get(ctx, k); err == nil {
			out[k] = string(v)
		}
	}
	return out, nil
}
