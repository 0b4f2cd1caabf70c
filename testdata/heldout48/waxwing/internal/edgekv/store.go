//go:build js && wasm

// Package edgekv wraps the Worker's KV bindings for the edge handlers.
package edgekv

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullValue is what GetString returns for a missing key: get() resolves to
// null and syscall/js renders a JS null as "<null>".
const nullValue = "<null>"

// Store is one KV binding.
type Store struct {
	ns   *cloudflare.KVNamespace
	name string
}

// Namespace exposes the binding for calls this package does not wrap.
func (s *Store) Namespace() *cloudflare.KVNamespace { return s.ns }

// Get returns the value of key and whether it exists.
func (s *Store) Get(key string) (string, bool, error) { return s.GetCached(key, 0) }

// GetCached is Get with a longer edge cache lifetime, for values that
// change rarely.
func (s *Store) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheTTL > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheTTL.Seconds())}
	}
	v, err := s.ns.GetString(key, opts)
	if err != nil || v == nullValue {
		return "", false, err
	}
	return v, true, nil
}

// Put writes value under key; ttl 0 means no expiry.
func (s *Store) Put(key, value string, ttl time.Duration) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(key, value, opts)
}

func (s *Store) Delete(key string) error { return s.ns.Delete(key) }

// List returns one page of keys under prefix.
func (s *Store) List(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	return s.ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
}

// Logged records each call of a Store; handlers use Logged.
type Logged struct {
	store *Store
	log   *slog.Logger
}

// OpenLogged binds the namespace declared as binding in wrangler.toml. It
// must be called while a request or scheduled event is being handled.
func OpenLogged(binding string, log *slog.Logger) (*Logged, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", binding, err)
	}
	return &Logged{store: &Store{ns: ns, name: binding}, log: log.With(slog.String("kv_binding", binding))}, nil
}

func (l *Logged) Store() *Store { return l.store }

func (l *Logged) done(op, key string, start time.Time, err error) {
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	l.log.Log(context.Background(), level, "kv "+op, "key", key, "took", time.Since(start), "err", err)
}

func (l *Logged) Get(key string) (string, bool, error) {
	start := time.Now()
	v, ok, err := l.store.Get(key)
	l.done("get", key, start, err)
	return v, ok, err
}

func (l *Logged) GetCached(key string, cacheTTL time.Duration) (string, bool, error) {
	start := time.Now()
	v, ok, err := l.store.GetCached(key, cacheTTL)
	l.done("get", key, start, err)
	return v, ok, err
}

func (l *Logged) Put(key, value string, ttl time.Duration) error {
	start := time.Now()
	err := l.store.Put(key, value, ttl)
	l.done("put", key, start, err)
	return err
}

func (l *Logged) Delete(key string) error {
	start := time.Now()
	err := l.store.Delete(key)
	l.done("delete", key, start, err)
	return err
}

func (l *Logged) List(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	start := time.Now()
	res, err := l.store.List(prefix, cursor, limit)
	l.done("list", prefix, start, err)
	return res, err
}
