//go:build js && wasm

// Package kvstore adapts a Workers KV binding to storage.Store, with an
// optional in-isolate cache in front of it that is updated on every write.
package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/alder/internal/storage"
)

var _ storage.Store = (*Store)(nil)

// nullText is how syscall/js renders the null the binding returns for a
// missing key.
const nullText = "<null>"

// Options are the per-write settings. A Store keeps defaults and each call
// works on a copy.
type Options struct {
	TTL        time.Duration
	Expiration int64
	CacheTTL   time.Duration
}

type localEntry struct {
	value   string
	expires time.Time
}

// Store talks to one KV binding.
type Store struct {
	binding  string
	defaults Options
	localAge time.Duration
	local    sync.Map
	onEvict  func(key string)
}

// Option configures a Store.
type Option func(*Store)

// WithTTL sets the expiry used when a write does not specify one.
func WithTTL(d time.Duration) Option { return func(s *Store) { s.defaults.TTL = d } }

// WithCacheTTL sets how long edge locations may cache values read.
func WithCacheTTL(d time.Duration) Option { return func(s *Store) { s.defaults.CacheTTL = d } }

// WithEvictHook registers fn to run when the local cache drops a key.
func WithEvictHook(fn func(key string)) Option { return func(s *Store) { s.onEvict = fn } }

// WithLocalCache keeps values read or written in the isolate for at most age.
func WithLocalCache(age time.Duration) Option { return func(s *Store) { s.localAge = age } }

// New returns a store for the named binding. The binding is resolved on each
// call, because the runtime only exposes it while handling an event.
func New(binding string, opts ...Option) *Store {
	s := &Store{binding: binding}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Store) remember(key, value string) {
	if s.localAge > 0 {
		s.local.Store(key, localEntry{value: value, expires: time.Now().Add(s.localAge)})
	}
}

func (s *Store) recall(key string) (string, bool) {
	v, ok := s.local.Load(key)
	if !ok {
		return "", false
	}
	e := v.(localEntry)
	if time.Now().After(e.expires) {
		s.forget(key)
		return "", false
	}
	return e.value, true
}

func (s *Store) forget(key string) {
	if _, ok := s.local.LoadAndDelete(key); ok && s.onEvict != nil {
		s.onEvict(key)
	}
}

func (s *Store) namespace() (*kv.Namespace, error) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: binding %s: %w", s.binding, err)
	}
	return ns, nil
}

func (s *Store) putOptions(o Options) *kv.PutOptions {
	po := &kv.PutOptions{}
	if o.Expiration > 0 {
		po.Expiration = int(o.Expiration)
	}
	if o.TTL > 0 {
		po.ExpirationTTL = int(o.TTL / time.Second)
	}
	return po
}

func (s *Store) getOptions() *kv.GetOptions {
	if s.defaults.CacheTTL <= 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: int(s.defaults.CacheTTL / time.Second)}
}

func (s *Store) put(ctx context.Context, key, value string, o Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	if err := ns.PutString(key, value, s.putOptions(o)); err != nil {
		return fmt.Errorf("kvstore: put %s: %w", key, err)
	}
	s.remember(key, value)
	return nil
}

// Put implements storage.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	o := s.defaults
	switch {
	case opts.Expiration > 0:
		o.TTL, o.Expiration = 0, opts.Expiration
	case opts.TTL > 0:
		o.TTL, o.Expiration = opts.TTL, 0
	}
	return s.put(ctx, key, string(value), o)
}

// PutString writes a text value that expires ttl from now; zero uses the
// store's default.
func (s *Store) PutString(ctx context.Context, key, value string, ttl time.Duration) error {
	o := s.defaults
	if ttl > 0 {
		o.TTL, o.Expiration = ttl, 0
	}
	return s.put(ctx, key, value, o)
}

// PutJSON streams v to the binding as JSON.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	o := s.defaults
	if ttl > 0 {
		o.TTL, o.Expiration = ttl, 0
	}
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	if err := ns.PutReader(key, &buf, s.putOptions(o)); err != nil {
		return fmt.Errorf("kvstore: put %s: %w", key, err)
	}
	s.forget(key)
	return nil
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if v, ok := s.recall(key); ok {
		return []byte(v), nil
	}
	ns, err := s.namespace()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, s.getOptions())
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %s: %w", key, err)
	}
	if v == nullText {
		return nil, &storage.NotFoundError{Key: key}
	}
	s.remember(key, v)
	return []byte(v), nil
}

// GetJSON decodes the value at key into v.
func (s *Store) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Raw returns the binding's text result for key as it comes, bypassing the
// local cache.
func (s *Store) Raw(ctx context.Context, key string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ns, err := s.namespace()
	if err != nil {
		return "", err
	}
	return ns.GetString(key, s.getOptions())
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	s.forget(key)
	if err := ns.Delete(key); err != nil {
		return fmt.Errorf("kvstore: delete %s: %w", key, err)
	}
	return nil
}

// List implements storage.Store.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	if err := ctx.Err(); err != nil {
		return storage.Page{}, err
	}
	ns, err := s.namespace()
	if err != nil {
		return storage.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %s: %w", q.Prefix, err)
	}
	keys := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		keys[i] = k.Name
	}
	return storage.Page{Keys: keys, Cursor: res.Cursor, Complete: res.ListComplete}, nil
}

// Binding returns the binding name, for handlers that need the raw namespace.
func (s *Store) Binding() string { return s.binding }
