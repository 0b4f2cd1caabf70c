// Package memkv is an in-memory kvstore.ReadWriter for tests and local runs.
package memkv

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/halyard/internal/kvstore"
)

var now = time.Now

type entry struct {
	value    []byte
	expireAt time.Time
	meta     map[string]any
}

// Store is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	data map[string]entry

	// Writes counts Put calls per key, for assertions in tests.
	Writes map[string]int
}

// New returns an empty store.
func New() *Store {
	return &Store{data: map[string]entry{}, Writes: map[string]int{}}
}

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if !ok {
		return entry{}, false
	}
	if !e.expireAt.IsZero() && !now().Before(e.expireAt) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, true
}

// Get implements kvstore.Reader.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Put implements kvstore.Writer. It rejects the same inputs Workers KV does.
func (s *Store) Put(_ context.Context, key string, value []byte, o kvstore.PutOptions) error {
	if key == "" || key == "." || key == ".." || len(key) > 512 {
		return fmt.Errorf("memkv: invalid key %q", key)
	}
	var exp time.Time
	switch {
	case o.TTL > 0:
		if o.TTL < 60 {
			return fmt.Errorf("memkv: expiration_ttl %d below 60", o.TTL)
		}
		exp = now().Add(o.TTL.Duration())
	case o.ExpireAt > 0:
		exp = time.Unix(o.ExpireAt, 0)
		if exp.Before(now().Add(time.Minute)) {
			return fmt.Errorf("memkv: expiration %d less than 60s ahead", o.ExpireAt)
		}
	}
	var meta map[string]any
	if o.Metadata != nil {
		b, err := json.Marshal(o.Metadata)
		if err != nil {
			return err
		}
		if len(b) > 1024 {
			return fmt.Errorf("memkv: metadata %d bytes", len(b))
		}
		_ = json.Unmarshal(b, &meta)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = entry{value: append([]byte(nil), value...), expireAt: exp, meta: meta}
	s.Writes[key]++
	return nil
}

// Delete implements kvstore.Writer.
func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

// List implements kvstore.Lister. The cursor is the index of the next key.
func (s *Store) List(_ context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for k := range s.data {
		if _, ok := s.live(k); ok && strings.HasPrefix(k, prefix) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return kvstore.Page{}, fmt.Errorf("memkv: bad cursor %q", cursor)
		}
		start = n
	}
	var page kvstore.Page
	for i := start; i < len(names) && len(page.Keys) < limit; i++ {
		e := s.data[names[i]]
		ki := kvstore.KeyInfo{Name: names[i], Metadata: e.meta}
		if !e.expireAt.IsZero() {
			ki.Expiration = e.expireAt.Unix()
		}
		page.Keys = append(page.Keys, ki)
	}
	if next := start + len(page.Keys); next < len(names) {
		page.Cursor = strconv.Itoa(next)
	}
	return page, nil
}

var _ kvstore.ReadWriter = (*Store)(nil)
