// Package kvfake is an in-memory kvport.Store for tests.
package kvfake

import (
	"context"
	"encoding/base64"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/authgw/internal/kvport"
)

type entry struct {
	value     []byte
	expiresAt time.Time
}

// Store is safe for concurrent use. Expiry is evaluated against Now.
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	Now  func() time.Time

	// Writes records every Put, in order, for assertions.
	Writes []Write
}

// Write is one recorded Put.
type Write struct {
	Key  string
	Opts kvport.WriteOptions
}

var _ kvport.Store = (*Store)(nil)

// maxTTLSeconds keeps the Duration arithmetic below from overflowing; larger
// TTLs are treated as "never expires" in tests.
const maxTTLSeconds = math.MaxInt64 / int64(time.Second)

func New() *Store {
	return &Store{data: map[string]entry{}, Now: time.Now}
}

func (s *Store) live(key string) (entry, bool) {
	e, ok := s.data[key]
	if !ok {
		return entry{}, false
	}
	if !e.expiresAt.IsZero() && !s.Now().Before(e.expiresAt) {
		delete(s.data, key)
		return entry{}, false
	}
	return e, true
}

func (s *Store) Get(_ context.Context, key string, _ ...kvport.ReadOption) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(key)
	if !ok {
		return nil, kvport.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...kvport.WriteOption) error {
	o := kvport.ApplyWrite(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	e := entry{value: append([]byte(nil), value...)}
	now := s.Now()
	switch {
	case o.TTLSeconds > 0 && int64(o.TTLSeconds) < maxTTLSeconds:
		e.expiresAt = now.Add(time.Duration(o.TTLSeconds) * time.Second)
	case o.TTL > 0:
		e.expiresAt = now.Add(o.TTL)
	case o.ExpiresAtUnix > 0:
		e.expiresAt = time.Unix(o.ExpiresAtUnix, 0)
	case !o.ExpiresAt.IsZero():
		e.expiresAt = o.ExpiresAt
	}
	s.data[key] = e
	s.Writes = append(s.Writes, Write{Key: key, Opts: o})
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.data, key)
	return nil
}

func (s *Store) List(_ context.Context, q kvport.ListQuery) (kvport.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var after string
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil {
			return kvport.Page{}, err
		}
		after = string(b)
	}
	names := make([]string, 0, len(s.data))
	for k := range s.data {
		if _, ok := s.live(k); !ok {
			continue
		}
		if strings.HasPrefix(k, q.Prefix) && k > after {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	page := kvport.Page{Complete: true}
	if len(names) > limit {
		names = names[:limit]
		page.Complete = false
		page.Cursor = base64.RawURLEncoding.EncodeToString([]byte(names[len(names)-1]))
	}
	for _, n := range names {
		var exp int64
		if e := s.data[n]; !e.expiresAt.IsZero() {
			exp = e.expiresAt.Unix()
		}
		page.Keys = append(page.Keys, kvport.Key{Name: n, Expiration: exp})
	}
	return page, nil
}

// Len reports the number of live keys.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.data {
		if _, ok := s.live(k); ok {
			n++
		}
	}
	return n
}
