// Package memkv is an in-memory implementation of the storage port, used
// by the "memory" backend for local development.
package memkv

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/otter/internal/kvport"
)

type entry struct {
	value    []byte
	meta     json.RawMessage
	expireAt time.Time
}

// Store keeps everything in a map guarded by a mutex.
type Store struct {
	mu   sync.RWMutex
	data map[string]entry
}

var _ kvport.Store = (*Store)(nil)

func New() *Store { return &Store{data: make(map[string]entry)} }

func (e entry) live() bool { return e.expireAt.IsZero() || time.Now().Before(e.expireAt) }

func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.data[key]; ok && e.live() {
		return slices.Clone(e.value), nil
	}
	return nil, kvport.ErrNotFound
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts *kvport.PutOpts) error {
	e := entry{value: slices.Clone(value)}
	if at := opts.Deadline(); at > 0 {
		e.expireAt = time.Unix(at, 0)
	} else if ttl := opts.Lifetime(0); ttl > 0 {
		e.expireAt = time.Now().Add(ttl)
	}
	if m := opts.Meta(); m != nil {
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		e.meta = raw
	}
	s.mu.Lock()
	s.data[key] = e
	s.mu.Unlock()
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	delete(s.data, key)
	s.mu.Unlock()
	return nil
}

// List implements kvport.Store. The cursor is the last key returned.
func (s *Store) List(_ context.Context, q kvport.ListQuery) (kvport.Page, error) {
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for k, e := range s.data {
		if strings.HasPrefix(k, q.Prefix) && k > q.Cursor && e.live() {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	page := kvport.Page{Complete: len(names) <= limit}
	for _, k := range names[:min(limit, len(names))] {
		e := s.data[k]
		info := kvport.KeyInfo{Name: k, Metadata: e.meta}
		if !e.expireAt.IsZero() {
			info.Expiration = e.expireAt.Unix()
		}
		page.Keys = append(page.Keys, info)
	}
	if !page.Complete {
		page.Cursor = page.Keys[len(page.Keys)-1].Name
	}
	return page, nil
}

// Opener hands out prefixed views over one shared Store.
type Opener struct{ Root *Store }

func NewOpener() *Opener { return &Opener{Root: New()} }

func (o *Opener) Open(name string, opts ...kvport.BucketOption) kvport.Store {
	return &view{root: o.Root, cfg: kvport.ResolveBucket(name, opts...)}
}

type view struct {
	root *Store
	cfg  kvport.BucketConfig
}

func (v *view) Get(ctx context.Context, key string) ([]byte, error) {
	return v.root.Get(ctx, v.cfg.Prefix+key)
}

func (v *view) Put(ctx context.Context, key string, value []byte, opts *kvport.PutOpts) error {
	if opts == nil && v.cfg.Lifetime > 0 {
		opts = &kvport.PutOpts{TTL: v.cfg.Lifetime}
	}
	return v.root.Put(ctx, v.cfg.Prefix+key, value, opts)
}

func (v *view) Delete(ctx context.Context, key string) error {
	return v.root.Delete(ctx, v.cfg.Prefix+key)
}

func (v *view) List(ctx context.Context, q kvport.ListQuery) (kvport.Page, error) {
	q.Prefix = v.cfg.Prefix + q.Prefix
	page, err := v.root.List(ctx, q)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, v.cfg.Prefix)
	}
	return page, err
}
