//go:build js && wasm

// Package kvstore adapts a Workers KV namespace binding to store.Store.
package kvstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/tamarack/internal/platform/store"
)

// nullValue is how syscall/js renders the JavaScript null that the binding
// resolves to when a key does not exist.
const nullValue = "<null>"

// Store is a lazily bound KV namespace.
type Store struct {
	binding string
	log     *slog.Logger

	once    sync.Once
	ns      *kv.Namespace
	bindErr error
}

// Option configures a Store.
type Option func(*Store)

// WithLogger sets the logger used for binding and I/O failures.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.log = l }
}

// New returns a Store for the binding name declared in wrangler.toml. The
// binding is resolved on first use, inside a request, when the runtime env
// is available.
func New(binding string, opts ...Option) *Store {
	s := &Store{binding: binding, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Namespace resolves the binding once and returns it.
func (s *Store) Namespace() (*kv.Namespace, error) {
	s.once.Do(func() {
		s.ns, s.bindErr = cloudflare.NewKVNamespace(s.binding)
		if s.bindErr != nil {
			s.log.Error("kv binding unavailable", "binding", s.binding, "err", s.bindErr)
		}
	})
	return s.ns, s.bindErr
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string, opts ...store.GetOption) (string, error) {
	ns, err := s.Namespace()
	if err != nil {
		return "", err
	}
	o := store.ApplyGet(opts)
	var gopts *kv.GetOptions
	if o.CacheTTL > 0 {
		gopts = &kv.GetOptions{CacheTTL: int(o.CacheTTL / time.Second)}
	}
	v, err := ns.GetString(key, gopts)
	if err != nil {
		return "", fmt.Errorf("kv get %q: %w", key, err)
	}
	if v == nullValue {
		return "", store.ErrNotFound
	}
	return v, nil
}

// GetRaw returns the string exactly as the binding produced it. It exists
// for code ported from the JavaScript worker that expects the raw result.
func (s *Store) GetRaw(key string, cacheTTLSeconds int) (string, error) {
	ns, err := s.Namespace()
	if err != nil {
		return "", err
	}
	var gopts *kv.GetOptions
	if cacheTTLSeconds > 0 {
		gopts = &kv.GetOptions{CacheTTL: cacheTTLSeconds}
	}
	return ns.GetString(key, gopts)
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key, value string, opts ...store.PutOption) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	o := store.ApplyPut(opts)
	var popts *kv.PutOptions
	if o.TTL > 0 || !o.ExpiresAt.IsZero() {
		popts = &kv.PutOptions{}
		if o.TTL > 0 {
			popts.ExpirationTTL = int(o.TTL.Seconds())
		}
		if !o.ExpiresAt.IsZero() {
			popts.Expiration = int(o.ExpiresAt.Unix())
		}
	}
	if err := ns.PutString(key, value, popts); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List implements store.Lister.
func (s *Store) List(ctx context.Context, opts store.ListOptions) (store.Page, error) {
	ns, err := s.Namespace()
	if err != nil {
		return store.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return store.Page{}, fmt.Errorf("kv list %q: %w", opts.Prefix, err)
	}
	page := store.Page{Cursor: res.Cursor, Complete: res.ListComplete, Keys: make([]store.Key, 0, len(res.Keys))}
	for _, k := range res.Keys {
		key := store.Key{Name: k.Name}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, key)
	}
	return page, nil
}

var _ store.Store = (*Store)(nil)
