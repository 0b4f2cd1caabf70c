//go:build js && wasm

// Package kvstore adapts a Workers KV namespace binding to storage.Store.
//
// The namespace is resolved from the Worker environment on every call: the
// environment only exists while an event is being handled, so the adapter
// can be constructed at start-up and used from any handler.
package kvstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/yarrow/internal/storage"
)

// Null is how the binding renders a missing key through GetString.
const Null = "<null>"

// Options are the per-store defaults; each call works on its own copy.
type Options struct {
	TTL       time.Duration
	ExpiresAt time.Time
	CacheTTL  time.Duration
	PageSize  int
}

// Option configures a Store.
type Option func(*Store)

// WithTTL sets the default relative expiry of written values.
func WithTTL(d time.Duration) Option { return func(s *Store) { s.defaults.TTL = d } }

// WithCacheTTL sets how long edge locations may cache values read through Get.
func WithCacheTTL(d time.Duration) Option { return func(s *Store) { s.defaults.CacheTTL = d } }

// WithPageSize sets the list page size used when a query does not set one.
func WithPageSize(n int) Option { return func(s *Store) { s.defaults.PageSize = n } }

// WithMissHook registers a function called with the key of every miss.
func WithMissHook(f func(key string)) Option { return func(s *Store) { s.onMiss = f } }

// Store is a KV-backed storage.Store.
type Store struct {
	binding  string
	defaults Options
	onMiss   func(key string)
}

var _ storage.Store = (*Store)(nil)

// New returns a store for the namespace bound as binding.
func New(binding string, opts ...Option) *Store {
	s := &Store{binding: binding, defaults: Options{PageSize: 1000}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Store) namespace(ctx context.Context) (*kv.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: binding %s: %w", s.binding, err)
	}
	return ns, nil
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	var gopts *kv.GetOptions
	if s.defaults.CacheTTL > 0 {
		gopts = &kv.GetOptions{CacheTTL: int(s.defaults.CacheTTL / time.Second)}
	}
	v, err := ns.GetString(key, gopts)
	if err != nil {
		return nil, fmt.Errorf("kvstore: get %s: %w", key, err)
	}
	if v == Null {
		if s.onMiss != nil {
			s.onMiss(key)
		}
		return nil, &storage.NotFoundError{Key: key}
	}
	return []byte(v), nil
}

// Text returns the value exactly as the binding produced it, for callers
// that read plain-text settings.
func (s *Store) Text(ctx context.Context, key string) (string, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return "", err
	}
	return ns.GetString(key, nil)
}

// Put implements storage.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, w storage.WriteOptions) error {
	o := s.defaults
	if w.TTL > 0 {
		o.TTL, o.ExpiresAt = w.TTL, time.Time{}
	}
	if !w.ExpiresAt.IsZero() {
		o.ExpiresAt, o.TTL = w.ExpiresAt, 0
	}
	return s.put(ctx, key, string(value), o)
}

// PutText writes a plain-text value with an explicit relative expiry.
func (s *Store) PutText(ctx context.Context, key, value string, ttl time.Duration) error {
	o := s.defaults
	o.TTL = ttl
	return s.put(ctx, key, value, o)
}

func (s *Store) put(ctx context.Context, key, value string, o Options) error {
	ns, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	if err := ns.PutString(key, value, o.putOptions()); err != nil {
		return fmt.Errorf("kvstore: put %s: %w", key, err)
	}
	return nil
}

func (o Options) putOptions() *kv.PutOptions {
	po := &kv.PutOptions{}
	if o.TTL > 0 {
		po.ExpirationTTL = int(o.TTL / time.Second)
	} else if !o.ExpiresAt.IsZero() {
		po.Expiration = int(o.ExpiresAt.Unix())
	}
	return po
}

// PutJSON streams v as JSON into key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, w storage.WriteOptions) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", key, err)
	}
	ns, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	o := s.defaults
	if w.TTL > 0 {
		o.TTL = w.TTL
	}
	if err := ns.PutReader(key, &buf, o.putOptions()); err != nil {
		return fmt.Errorf("kvstore: put %s: %w", key, err)
	}
	return nil
}

// OpenReader returns the binding's stream for key.
func (s *Store) OpenReader(ctx context.Context, key string) (io.Reader, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	return ns.GetReader(key, nil)
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	return ns.Delete(key)
}

// List implements storage.Store.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return storage.Page{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = s.defaults.PageSize
	}
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: limit})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", q.Prefix, err)
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete, Keys: make([]string, len(res.Keys))}
	for i, k := range res.Keys {
		page.Keys[i] = k.Name
	}
	return page, nil
}
