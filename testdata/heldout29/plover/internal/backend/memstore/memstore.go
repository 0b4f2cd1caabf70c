// Package memstore is an in-memory implementation of the store ports for
// local development and tests.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/plover/internal/backend/store"
)

type entry struct {
	val  []byte
	exp  time.Time
	meta map[string]any
}

// Store holds every namespace in one map keyed by "<namespace>/<key>".
type Store struct {
	mu   sync.Mutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty store.
func New() *Store { return &Store{data: map[string]entry{}, now: time.Now} }

// Namespace returns a handle on id.
func (s *Store) Namespace(id string) store.Namespace { return &ns{s: s, prefix: id + "/"} }

type ns struct {
	s      *Store
	prefix string
}

func (n *ns) Prefixed(p string) store.Namespace { return &ns{s: n.s, prefix: n.prefix + p} }

func (n *ns) live(e entry) bool { return e.exp.IsZero() || n.s.now().Before(e.exp) }

func (n *ns) Get(_ context.Context, key string) ([]byte, error) {
	n.s.mu.Lock()
	defer n.s.mu.Unlock()
	e, ok := n.s.data[n.prefix+key]
	if !ok || !n.live(e) {
		return nil, store.ErrNotFound
	}
	return slices.Clone(e.val), nil
}

func (n *ns) Put(_ context.Context, key string, value []byte, opts *store.PutOpts) error {
	e := entry{val: slices.Clone(value), meta: maps.Clone(opts.Meta()), exp: opts.Expiry()}
	if secs := opts.TTLSeconds(); secs > 0 {
		e.exp = n.s.now().Add(time.Duration(secs) * time.Second)
	}
	n.s.mu.Lock()
	defer n.s.mu.Unlock()
	n.s.data[n.prefix+key] = e
	return nil
}

func (n *ns) Delete(_ context.Context, key string) error {
	n.s.mu.Lock()
	defer n.s.mu.Unlock()
	delete(n.s.data, n.prefix+key)
	return nil
}

// List pages through keys in order; the cursor is the last key returned.
func (n *ns) List(_ context.Context, prefix, cursor string, limit int) (store.Page, error) {
	n.s.mu.Lock()
	defer n.s.mu.Unlock()
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var page store.Page
	for _, k := range slices.Sorted(maps.Keys(n.s.data)) {
		e := n.s.data[k]
		if !strings.HasPrefix(k, n.prefix+prefix) || k <= cursor || !n.live(e) {
			continue
		}
		if len(page.Entries) == limit {
			page.Cursor = n.prefix + page.Entries[limit-1].Name
			break
		}
		page.Entries = append(page.Entries, store.Entry{Name: strings.TrimPrefix(k, n.prefix), Expires: e.exp, Metadata: e.meta})
	}
	return page, nil
}

func (n *ns) PutMany(ctx context.Context, items []store.Item) error {
	for _, it := range items {
		if err := n.Put(ctx, it.Key, it.Value, &store.PutOpts{TTL: it.TTL, Metadata: it.Metadata}); err != nil {
			return err
		}
	}
	return nil
}
