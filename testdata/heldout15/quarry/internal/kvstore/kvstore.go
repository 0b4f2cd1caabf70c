//go:build js && wasm

// Package kvstore adapts a Workers KV namespace to storage.Store.
package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/storage"
)

// jsNull is how GetString renders a missing key: the SDK stringifies the JS
// null it receives.
const jsNull = "<null>"

// Store is a storage.Store over one KV namespace.
type Store struct {
	ns      *kv.Namespace
	binding string
}

var _ storage.Store = (*Store)(nil)

// Open binds the namespace named by binding in wrangler.toml. It must be
// called while handling a request or scheduled event.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvstore: bind %s: %w", binding, err)
	}
	return &Store{ns: ns, binding: binding}, nil
}

// Namespace exposes the underlying binding for code that needs the SDK.
func (s *Store) Namespace() *kv.Namespace { return s.ns }

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return nil, &storage.BackendError{Op: "get", Key: key, Err: err}
	}
	if v == jsNull {
		return nil, &storage.NotFoundError{Key: key}
	}
	return []byte(v), nil
}

func putOptions(o storage.PutOptions) *kv.PutOptions {
	switch {
	case o.TTL > 0:
		return &kv.PutOptions{ExpirationTTL: int(o.TTL / time.Second)}
	case !o.ExpireAt.IsZero():
		return &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	return nil
}

func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return &storage.BackendError{Op: op, Key: key, Err: err}
}

func (s *Store) Put(ctx context.Context, key string, value []byte, o storage.PutOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return wrap("put", key, s.ns.PutString(key, string(value), putOptions(o)))
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return wrap("delete", key, s.ns.Delete(key))
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	if err := ctx.Err(); err != nil {
		return storage.Page{}, err
	}
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return storage.Page{}, wrap("list", prefix, err)
	}
	page := storage.Page{Complete: res.ListComplete}
	for _, k := range res.Keys {
		page.Keys = append(page.Keys, k.Name)
	}
	if !res.ListComplete {
		page.Cursor = res.Cursor
	}
	return page, nil
}
