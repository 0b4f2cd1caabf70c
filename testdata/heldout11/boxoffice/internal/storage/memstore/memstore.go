// Package memstore is an in-memory storage.Store for tests. It mimics the
// parts of KV the domain code relies on: expiry, sorted listing with a
// cursor, and ErrNotFound for missing keys.
package memstore

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/boxoffice/internal/storage"
)

type entry struct {
	value   []byte
	expires time.Time
}

// Store is safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	data   map[string]entry
	now    func() time.Time
	Writes map[string]int
}

// New returns an empty Store.
func New() *Store {
	return &Store{data: map[string]entry{}, now: time.Now, Writes: map[string]int{}}
}

// SetClock replaces the clock used for expiry.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if !ok {
		return entry{}, false
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, true
}

// Get implements storage.Store.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, &storage.OpError{Op: "get", Key: key, Err: storage.ErrNotFound}
	}
	return append([]byte(nil), e.value...), nil
}

// Put implements storage.Store.
func (s *Store) Put(_ context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.Resolve(storage.PutOptions{}, opts...)
	e := entry{value: append([]byte(nil), value...)}
	switch {
	case o.TTL > 0:
		e.expires = s.now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = e
	s.Writes[key]++
	return nil
}

// Delete implements storage.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements storage.Store. The cursor is the index of the next key.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, opts.Prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if opts.Cursor != "" {
		n, err := strconv.Atoi(opts.Cursor)
		if err != nil {
			return storage.Page{}, err
		}
		start = n
	}
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	if start > end {
		start = end
	}
	page := storage.Page{Complete: end == len(names)}
	for _, n := range names[start:end] {
		info := storage.KeyInfo{Name: n}
		if exp := s.data[n].expires; !exp.IsZero() {
			info.Expiration = exp.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

var _ storage.Store = (*Store)(nil)
