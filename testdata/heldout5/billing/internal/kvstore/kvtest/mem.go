// Package kvtest provides an in-memory kvstore.KV for unit tests.
package kvtest

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/billing/internal/kvstore"
)

type entry struct {
	value    []byte
	expires  time.Time
	metadata map[string]any
}

// Mem is an in-memory KV. Expiry is evaluated against Now.
type Mem struct {
	mu   sync.Mutex
	data map[string]entry
	Now  func() time.Time
	// Puts records every written key, in order.
	Puts []string
	// LastOpts holds the resolved options of the last write per key.
	LastOpts map[string]kvstore.PutOptions
}

// New returns an empty store using time.Now.
func New() *Mem {
	return &Mem{data: map[string]entry{}, Now: time.Now, LastOpts: map[string]kvstore.PutOptions{}}
}

func (m *Mem) live(e entry) bool { return e.expires.IsZero() || m.Now().Before(e.expires) }

// Get implements kvstore.KV.
func (m *Mem) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok || !m.live(e) {
		return nil, kvstore.ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Put implements kvstore.KV.
func (m *Mem) Put(_ context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Resolve(opts)
	e := entry{value: append([]byte(nil), value...), metadata: o.Metadata}
	switch {
	case o.TTL > 0:
		e.expires = m.Now().Add(o.TTL)
	case !o.ExpireAt.IsZero():
		e.expires = o.ExpireAt
	}
	m.mu.Lock()
	m.data[key] = e
	m.Puts = append(m.Puts, key)
	m.LastOpts[key] = o
	m.mu.Unlock()
	return nil
}

// Delete implements kvstore.KV.
func (m *Mem) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.data, key)
	m.mu.Unlock()
	return nil
}

// List implements kvstore.KV with a numeric cursor.
func (m *Mem) List(_ context.Context, q kvstore.ListQuery) (kvstore.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for k, e := range m.data {
		if strings.HasPrefix(k, q.Prefix) && m.live(e) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	start := 0
	if q.Cursor != "" {
		for i, n := range names {
			if n > q.Cursor {
				start = i
				break
			}
			start = len(names)
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	end := min(start+limit, len(names))
	p := kvstore.Page{Complete: end == len(names)}
	for _, n := range names[start:end] {
		p.Keys = append(p.Keys, kvstore.KeyInfo{Name: n, Expiration: m.data[n].expires, Metadata: m.data[n].metadata})
	}
	if !p.Complete && end > start {
		p.Cursor = names[end-1]
	}
	return p, nil
}

// PutMany implements kvstore.BulkWriter.
func (m *Mem) PutMany(ctx context.Context, entries []kvstore.BulkEntry) error {
	for _, e := range entries {
		var opts []kvstore.PutOption
		if e.ExpirationTTL > 0 {
			opts = append(opts, kvstore.WithTTLSeconds(e.ExpirationTTL))
		}
		if e.Expiration > 0 {
			opts = append(opts, kvstore.ExpireAt(time.Unix(e.Expiration, 0)))
		}
		if err := m.Put(ctx, e.Key, []byte(e.Value), opts...); err != nil {
			return err
		}
	}
	return nil
}

// KeysWithPrefix implements kvstore.Scanner.
func (m *Mem) KeysWithPrefix(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	cursor := ""
	for range 1000 {
		p, err := m.List(ctx, kvstore.ListQuery{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			out = append(out, k.Name)
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	return out, nil
}
