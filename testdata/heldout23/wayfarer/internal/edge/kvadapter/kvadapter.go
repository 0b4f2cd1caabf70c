//go:build js && wasm

// Package kvadapter implements storage.Store over a Workers KV binding
// (github.com/syumai/workers/cloudflare/kv).
package kvadapter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wayfarer/internal/storage"
)

// nullText is how the binding's GetString renders a JS null, i.e. a miss.
const nullText = "<null>"

// Config tunes the adapter. CacheTTL is the edge cache lifetime of reads,
// in seconds.
type Config struct {
	CacheTTL int
}

// Store adapts one KV namespace binding. The binding is resolved on first
// use because the runtime env only exists once a request is being served.
type Store struct {
	binding string
	cfg     Config

	once sync.Mutex
	ns   *kv.Namespace
}

var (
	_ storage.Store        = (*Store)(nil)
	_ storage.TTLSetter    = (*Store)(nil)
	_ storage.StringGetter = (*Store)(nil)
)

func WithCacheTTL(d time.Duration) storage.Option[Config] {
	return func(c *Config) { c.CacheTTL = int(d.Seconds()) }
}

// New returns an adapter for the named binding.
func New(binding string, opts ...storage.Option[Config]) *Store {
	cfg := storage.Apply(Config{CacheTTL: 300}, opts...)
	return &Store{binding: binding, cfg: cfg}
}

// Namespace returns the resolved binding, for code that needs calls the
// port does not model.
func (s *Store) Namespace() (*kv.Namespace, error) {
	s.once.Lock()
	defer s.once.Unlock()
	if s.ns != nil {
		return s.ns, nil
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kvadapter: binding %s: %w", s.binding, err)
	}
	s.ns = ns
	return ns, nil
}

func (s *Store) getOptions() *kv.GetOptions {
	return &kv.GetOptions{CacheTTL: s.cfg.CacheTTL}
}

// Get returns storage.ErrNotFound on a miss.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := s.Namespace()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, s.getOptions())
	if err != nil {
		return nil, err
	}
	if v == nullText {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

// GetString returns the binding's text result unchanged.
func (s *Store) GetString(ctx context.Context, key string) (string, error) {
	ns, err := s.Namespace()
	if err != nil {
		return "", err
	}
	return ns.GetString(key, s.getOptions())
}

// Put writes value. A relative TTL wins over an absolute expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.Option[storage.PutOptions]) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	o := storage.Apply(storage.PutOptions{}, opts...)
	var po *kv.PutOptions
	switch {
	case o.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(o.TTL.Seconds())}
	case !o.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	// The binding wrapper does not carry metadata; it is dropped here.
	return ns.PutString(key, string(value), po)
}

func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.Put(ctx, key, value, storage.WithTTL(ttl))
}

func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	return ns.Delete(key)
}

func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	ns, err := s.Namespace()
	if err != nil {
		return storage.Page{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = storage.MaxListLimit
	}
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: limit})
	if err != nil {
		return storage.Page{}, err
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)})
	}
	return page, nil
}
