// Package memkv is an in-memory kv.Namespace for tests. It honours TTLs and
// absolute expirations against an injectable clock and pages listings.
package memkv

import (
	"context"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/feeds/internal/kv"
)

type item struct {
	value    []byte
	expires  time.Time
	metadata map[string]string
}

// Store is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	items    map[string]item
	now      func() time.Time
	PageSize int
	Puts     int
}

// New returns an empty store using the wall clock.
func New() *Store {
	return &Store{items: map[string]item{}, now: time.Now, PageSize: 1000}
}

// SetClock replaces the clock used for expiry.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

var _ kv.Namespace = (*Store)(nil)

func (s *Store) live(k string) (item, bool) {
	it, ok := s.items[k]
	if !ok {
		return item{}, false
	}
	if !it.expires.IsZero() && !s.now().Before(it.expires) {
		delete(s.items, k)
		return item{}, false
	}
	return it, true
}

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.live(key)
	if !ok {
		return nil, kv.ErrNotFound
	}
	return slices.Clone(it.value), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts kv.PutOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := item{value: slices.Clone(value), metadata: maps.Clone(opts.Metadata)}
	switch {
	case opts.TTL > 0:
		it.expires = s.now().Add(opts.TTL)
	case opts.ExpiresAt > 0:
		it.expires = time.Unix(opts.ExpiresAt, 0)
	}
	s.items[key] = it
	s.Puts++
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key)
	return nil
}

func (s *Store) List(_ context.Context, p kv.ListParams) (kv.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.items {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, p.Prefix) && k > p.Cursor {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	limit := p.Limit
	if limit <= 0 || limit > s.PageSize {
		limit = s.PageSize
	}
	page := kv.Page{Complete: true}
	if len(names) > limit {
		names = names[:limit]
		page.Complete = false
		page.Cursor = names[len(names)-1]
	}
	for _, n := range names {
		info := kv.KeyInfo{Name: n}
		if it := s.items[n]; !it.expires.IsZero() {
			info.Expiration = it.expires.Unix()
		}
		if md := s.items[n].metadata; len(md) > 0 {
			info.Metadata = map[string]any{}
			for k, v := range md {
				info.Metadata[k] = v
			}
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

func (s *Store) PutMany(ctx context.Context, entries []kv.Entry) error {
	for _, e := range entries {
		opts := kv.PutOptions{TTL: time.Duration(e.ExpirationTTL) * time.Second, ExpiresAt: e.Expiration, Metadata: e.Metadata}
		if err := s.Put(ctx, e.Key, []byte(e.Value), opts); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[kv.KeyInfo, error] {
	return func(yield func(kv.KeyInfo, error) bool) {
		cursor := ""
		for {
			page, _ := s.List(ctx, kv.ListParams{Prefix: prefix, Cursor: cursor})
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete {
				return
			}
			cursor = page.Cursor
		}
	}
}
