//go:build js && wasm

// Package kvstore adapts a Workers KV binding to the storage port.
package kvstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sundial/internal/retry"
	"example.com/sundial/internal/storage"
)

// null is how syscall/js renders a JavaScript null through Value.String,
// which is what GetString returns for a key that does not exist.
const null = "<null>"

// Store is a storage.Store and storage.Lister backed by a KV namespace binding. The binding
// is resolved on first use, because the environment only exists once the
// runtime has delivered the first event.
type Store struct {
	binding string

	once sync.Once
	ns   *kv.Namespace
	err  error
}

var (
	_ storage.Store  = (*Store)(nil)
	_ storage.Lister = (*Store)(nil)
)

// New returns a Store for the named binding.
func New(binding string) *Store { return &Store{binding: binding} }

// Namespace returns the underlying binding for code that needs the SDK.
func (s *Store) Namespace() (*kv.Namespace, error) {
	s.once.Do(func() {
		s.ns, s.err = kv.NewNamespace(s.binding)
	})
	return s.ns, s.err
}

// Get implements storage.Reader.
func (s *Store) Get(_ context.Context, key string) ([]byte, error) {
	ns, err := s.Namespace()
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, nil)
	if err != nil {
		return nil, wrap("get", key, err)
	}
	if v == null {
		return nil, storage.ErrNotFound
	}
	return []byte(v), nil
}

// Put implements storage.Writer.
func (s *Store) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	if err := ns.PutString(key, string(value), putOptions(opts)); err != nil {
		return wrap("put", key, err)
	}
	return nil
}

// Delete implements storage.Writer.
func (s *Store) Delete(_ context.Context, key string) error {
	ns, err := s.Namespace()
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return wrap("delete", key, err)
	}
	return nil
}

// List implements storage.Lister.
func (s *Store) List(_ context.Context, opts storage.ListOptions) (storage.Page, error) {
	ns, err := s.Namespace()
	if err != nil {
		return storage.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return storage.Page{}, wrap("list", opts.Prefix, err)
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.ListComplete}
	page.Keys = make([]storage.KeyInfo, 0, len(res.Keys))
	for _, k := range res.Keys {
		ki := storage.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0).UTC()
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

func putOptions(o storage.PutOptions) *kv.PutOptions {
	switch {
	case o.TTL > 0:
		return &kv.PutOptions{ExpirationTTL: int(o.TTL.Seconds())}
	case !o.ExpireAt.IsZero():
		return &kv.PutOptions{Expiration: int(o.ExpireAt.Unix())}
	}
	return nil
}

// wrap marks throttling and server errors as retryable.
func wrap(op, key string, err error) error {
	err = fmt.Errorf("kvstore: %s %q: %w", op, key, err)
	msg := err.Error()
	if strings.Contains(msg, " 429 ") || strings.Contains(msg, " 50") {
		return retry.Retryable(err)
	}
	return err
}
