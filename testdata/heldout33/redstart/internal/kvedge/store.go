//go:build js && wasm

// Package kvedge is the Worker-side KV adapter over the syumai/workers
// binding. It hides the binding's rendering of a missing key and gives the
// rest of the Worker context-first methods, a listing visitor and unit-of-work
// commits.
package kvedge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/exptrack/redstart/internal/uow"
)

// missing is how syscall/js renders the null that get() resolves to for a
// key that does not exist.
const missing = "<null>"

// pageSize is the largest page list() returns.
const pageSize = 1000

// ErrStop ends an Each walk early; Each then returns nil.
var ErrStop = errors.New("kvedge: stop walking")

// Meta describes a listed key.
type Meta struct {
	// Expiration is zero for keys that do not expire.
	Expiration time.Time
}

// Store is one KV namespace binding.
type Store struct {
	ns      *kv.Namespace
	binding string
}

// Open binds the namespace named in wrangler.toml. It must be called while a
// request or a scheduled event is being handled.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvedge: open %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// MustOpen is Open for bindings without which the Worker cannot run.
func MustOpen(binding string) *Store {
	s, err := Open(binding)
	if err != nil {
		panic(err)
	}
	return s
}

// Binding returns the underlying namespace for callers that need list
// options or get options this adapter does not expose.
func (s *Store) Binding() *kv.Namespace { return s.ns }

// Get returns the value of key and whether it exists.
func (s *Store) Get(_ context.Context, key string) (string, bool, error) {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", false, fmt.Errorf("kvedge: get %s/%s: %w", s.binding, key, err)
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// GetCached is Get with an edge cache TTL for values that change rarely.
func (s *Store) GetCached(_ context.Context, key string, cacheTTL time.Duration) (string, bool, error) {
	v, err := s.ns.GetString(key, &kv.GetOptions{CacheTTL: int(cacheTTL.Seconds())})
	if err != nil {
		return "", false, fmt.Errorf("kvedge: get %s/%s: %w", s.binding, key, err)
	}
	if v == missing {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value under key. A zero ttl keeps the key until it is deleted.
func (s *Store) Put(_ context.Context, key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := s.ns.PutString(key, value, opts); err != nil {
		return fmt.Errorf("kvedge: put %s/%s: %w", s.binding, key, err)
	}
	return nil
}

// PutUntil writes value under key until the absolute time at.
func (s *Store) PutUntil(_ context.Context, key, value string, at time.Time) error {
	if err := s.ns.PutString(key, value, &kv.PutOptions{Expiration: int(at.Unix())}); err != nil {
		return fmt.Errorf("kvedge: put %s/%s: %w", s.binding, key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := s.ns.Delete(key); err != nil {
		return fmt.Errorf("kvedge: delete %s/%s: %w", s.binding, key, err)
	}
	return nil
}

// Each calls fn for every key under prefix, in key order. fn may return
// ErrStop to end the walk early.
func (s *Store) Each(_ context.Context, prefix string, fn func(key string, meta Meta) error) error {
	cursor := ""
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: pageSize})
		if err != nil {
			return fmt.Errorf("kvedge: list %s/%s*: %w", s.binding, prefix, err)
		}
		for _, k := range res.Keys {
			var m Meta
			if k.Expiration > 0 {
				m.Expiration = time.Unix(int64(k.Expiration), 0)
			}
			if err := fn(k.Name, m); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

// Page returns up to limit key names under prefix, starting at cursor, and
// the cursor of the next page ("" when there is none).
func (s *Store) Page(_ context.Context, prefix, cursor string, limit int) ([]string, string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: min(max(limit, 1), pageSize)})
	if err != nil {
		return nil, "", fmt.Errorf("kvedge: list %s/%s*: %w", s.binding, prefix, err)
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Commit applies the queued operations in order and resets u. The binding
// has no bulk write, so operations go one by one; the first failure stops
// the commit.
func (s *Store) Commit(ctx context.Context, u *uow.UnitOfWork) error {
	defer u.Reset()
	for _, op := range u.Ops() {
		var err error
		switch op.Kind {
		case uow.KindPut:
			err = s.Put(ctx, op.Key, op.Value, op.TTL)
		case uow.KindDelete:
			err = s.Delete(ctx, op.Key)
		default:
			err = fmt.Errorf("kvedge: unknown op kind %d", op.Kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
