// Package stage keeps the writes of one request and makes them once the
// response is on its way, each write retried on its own.
package stage

import (
	"errors"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Store struct{ ns *kv.Namespace }

func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns}, nil
}

func Wrap(ns *kv.Namespace) *Store { return &Store{ns: ns} }

func (s *Store) Get(key string) (string, error) { return s.ns.GetString(key, nil) }

func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(key, value, opts)
}

// MenuHandler returns a handler that keeps the menu it is sent for ttl.
func MenuHandler(s *Store, ttl time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.Put("menu", r.URL.Query().Get("v"), ttl); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}
}

// Cache keeps rendered pages, for a shorter time while they are hot.
type Cache struct {
	s      *Store
	TTL    time.Duration
	HotTTL time.Duration
}

func NewCache(s *Store) *Cache { return &Cache{s: s, TTL: 15 * time.Minute, HotTTL: 15 * time.Second} }

// Keep writes a page; KV keeps nothing for less than a minute, so a
// shorter lifetime is raised to one.
func (c *Cache) Keep(key, page string, hot bool) error {
	ttl := c.TTL
	if hot {
		ttl = c.HotTTL
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.s.Put(key, page, ttl)
}

// PageHandler returns a handler that keeps the page it is sent.
func PageHandler(c *Cache) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := c.Keep("page:"+r.URL.Path, r.URL.Query().Get("v"), r.URL.Query().Has("hot")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}
}

// Lazy is a prefixed view of a binding that it resolves on each call:
// a Worker's env is reachable only while a request runs.
type Lazy struct{ binding, prefix string }

func OpenLazy(binding, prefix string) *Lazy { return &Lazy{binding: binding, prefix: prefix} }

func (l *Lazy) Put(key, value string) error {
	ns, err := kv.NewNamespace(l.binding)
	if err != nil {
		return err
	}
	return ns.PutString(l.prefix+key, value, nil)
}

// Walk calls fn with each key under prefix, a page at a time.
func (s *Store) Walk(prefix string, fn func(key string) error) error {
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < 100; page++ {
		res, err := s.ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
	return errors.New("stage: too many pages")
}

// Batch holds one write per key: a later Put of a key replaces the
// earlier one.
type Batch struct {
	store  *Store
	writes map[string]staged
	order  []string
}

type staged struct {
	value string
	ttl   time.Duration
}

func NewBatch(s *Store) *Batch { return &Batch{store: s, writes: map[string]staged{}} }

func (b *Batch) Put(key, value string, ttl time.Duration) {
	if _, ok := b.writes[key]; !ok {
		b.order = append(b.order, key)
	}
	b.writes[key] = staged{value: value, ttl: ttl}
}

// Flush makes the writes in the order their keys were first staged.
func (b *Batch) Flush() error {
	var errs []error
	for _, key := range b.order {
		w := b.writes[key]
		errs = append(errs, retry(func() error { return b.store.Put(key, w.value, w.ttl) }))
	}
	b.writes, b.order = map[string]staged{}, nil
	return errors.Join(errs...)
}

func retry(f func() error) error {
	var err error
	for range 3 {
		if err = f(); err == nil {
			return nil
		}
	}
	return err
}
