package kvstore

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Mem is an in-process Store for local development and the CLI's dry runs.
// It ignores expirations and implements Lister.
type Mem struct {
	mu   sync.Mutex
	data map[string][]byte
}

// MemOpener returns an Opener that hands out one Mem per DSN host, so that
// mem://dev opened twice sees the same data.
func MemOpener() Opener {
	var mu sync.Mutex
	stores := map[string]*Mem{}
	return func(_ context.Context, u *url.URL) (Store, error) {
		mu.Lock()
		defer mu.Unlock()
		if stores[u.Host] == nil {
			stores[u.Host] = &Mem{data: map[string][]byte{}}
		}
		return stores[u.Host], nil
	}
}

// Get implements Store.
func (m *Mem) Get(_ context.Context, key string) (Optional[[]byte], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	return Optional[[]byte]{Value: append([]byte(nil), v...), Found: ok}, nil
}

// Put implements Store.
func (m *Mem) Put(_ context.Context, key string, value []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = append([]byte(nil), value...)
	return nil
}

// Delete implements Store.
func (m *Mem) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

// List implements Lister. The cursor is the last key of the previous page.
func (m *Mem) List(_ context.Context, opts ListOptions) (Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := opts.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var names []string
	for k := range m.data {
		if strings.HasPrefix(k, opts.Prefix) && k > opts.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	page := Page{Complete: len(names) <= limit}
	if !page.Complete {
		names = names[:limit]
		page.Cursor = names[limit-1]
	}
	for _, n := range names {
		page.Keys = append(page.Keys, KeyInfo{Name: n})
	}
	return page, nil
}
