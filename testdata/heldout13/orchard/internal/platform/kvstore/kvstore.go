//go:build js && wasm

// Package kvstore binds store.Store to a Workers KV namespace.
package kvstore

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/orchard/internal/store"
)

// nullValue is what GetString returns for a missing key: the JS null
// rendered by syscall/js.
const nullValue = "<null>"

// Store is a store.Store over one namespace.
type Store struct {
	ns       *kv.Namespace
	cacheTTL int
}

var _ store.Store = (*Store)(nil)

// Open binds the namespace named by binding. cacheTTL is passed to every
// get as cacheTtl; zero keeps the runtime default.
func Open(binding string, cacheTTL time.Duration) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Store{ns: ns, cacheTTL: int(cacheTTL.Seconds())}, nil
}

// Namespace exposes the raw binding to the edge packages.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

// call runs a blocking SDK call and gives up when ctx ends. The call itself
// cannot be cancelled; its result is dropped.
func call[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (s *Store) Get(ctx context.Context, key string) (string, error) {
	var opts *kv.GetOptions
	if s.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: s.cacheTTL}
	}
	v, err := call(ctx, func() (string, error) { return s.ns.GetString(key, opts) })
	if err != nil {
		return "", &store.OpError{Op: "get", Key: key, Err: err}
	}
	if v == nullValue {
		return "", &store.NotFoundError{Key: key}
	}
	return v, nil
}

func (s *Store) Put(ctx context.Context, key, value string, opts ...store.Option) error {
	o := store.Collect(opts)
	var po *kv.PutOptions
	switch {
	case o.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(o.TTL.Seconds())}
	case !o.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	_, err := call(ctx, func() (struct{}, error) {
		return struct{}{}, s.ns.PutString(key, value, po)
	})
	if err != nil {
		return &store.OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := call(ctx, func() (struct{}, error) { return struct{}{}, s.ns.Delete(key) })
	if err != nil {
		return &store.OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

func (s *Store) List(ctx context.Context, q store.ListQuery) (store.Page, error) {
	res, err := call(ctx, func() (*kv.ListResult, error) {
		return s.ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	})
	if err != nil {
		return store.Page{}, &store.OpError{Op: "list", Key: q.Prefix, Err: err}
	}
	page := store.Page{Complete: res.ListComplete, Cursor: res.Cursor}
	page.Keys = make([]store.Key, 0, len(res.Keys))
	for _, k := range res.Keys {
		var exp time.Time
		if k.Expiration != 0 {
			exp = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, store.Key{Name: k.Name, Expiration: exp})
	}
	return page, nil
}

// Lookup returns a raw reader over the namespace for code that wants the
// value exactly as KV returns it.
func (s *Store) Lookup() func(key string) (string, error) {
	opts := &kv.GetOptions{CacheTTL: 60}
	return func(key string) (string, error) {
		return s.ns.GetString(key, opts)
	}
}
