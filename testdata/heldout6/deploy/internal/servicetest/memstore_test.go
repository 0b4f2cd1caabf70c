// Package servicetest_test exercises the domain services against an
// in-memory fake of the storage port.
package servicetest_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/deploy/internal/store"
)

type item struct {
	val     []byte
	expires time.Time
	meta    map[string]any
}

// memStore is a map guarded by a mutex. Puts counts writes for assertions.
type memStore struct {
	mu    sync.Mutex
	items map[string]item
	Puts  int
}

func newMemStore() *memStore { return &memStore{items: map[string]item{}} }

func (s *memStore) live(k string) (item, bool) {
	it, ok := s.items[k]
	return it, ok && (it.expires.IsZero() || time.Now().Before(it.expires))
}

func (s *memStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.live(key); ok {
		return slices.Clone(it.val), nil
	}
	return nil, store.ErrNotFound
}

func (s *memStore) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	e := store.Entry{Key: key, Value: value, Metadata: o.Metadata, TTLSeconds: int(o.TTL.Seconds())}
	if !o.ExpireAt.IsZero() {
		e.ExpiresAt = o.ExpireAt.Unix()
	}
	return s.PutMany(ctx, []store.Entry{e})
}

func (s *memStore) PutMany(_ context.Context, entries []store.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		it := item{val: slices.Clone(e.Value), meta: roundTrip(e.Metadata)}
		if e.TTLSeconds > 0 {
			it.expires = time.Now().Add(time.Duration(e.TTLSeconds) * time.Second)
		} else if e.ExpiresAt > 0 {
			it.expires = time.Unix(e.ExpiresAt, 0)
		}
		s.items[e.Key] = it
		s.Puts++
	}
	return nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

// List pages through live keys in order; the cursor is an offset.
func (s *memStore) List(_ context.Context, req store.ListRequest) (store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, req.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	limit := req.Limit
	if limit <= 0 {
		limit = 1000
	}
	start, _ := strconv.Atoi(req.Cursor)
	end := min(len(names), start+limit)
	var page store.Page
	for _, n := range names[min(start, end):end] {
		page.Keys = append(page.Keys, store.KeyInfo{Name: n, Metadata: maps.Clone(s.items[n].meta)})
	}
	if end < len(names) {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

// roundTrip gives metadata the shape KV returns it in (numbers as float64).
func roundTrip(md map[string]any) map[string]any {
	if md == nil {
		return nil
	}
	raw, _ := json.Marshal(md)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}
