//go:build js && wasm

package kvstore

import (
	"context"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wharf/internal/storage"
)

// nullText is what the binding's text reader yields for a missing key:
// the JavaScript null rendered as a Go string.
const nullText = "<null>"

// Store is a storage.Store over one KV namespace binding.
type Store struct {
	binding string
}

var _ storage.Store = (*Store)(nil)

// New returns a Store for the named binding. The namespace is resolved per
// call because the runtime context only exists while a request, scheduled
// event or queue batch is being handled.
func New(binding string) *Store { return &Store{binding: binding} }

func (s *Store) namespace(ctx context.Context) (*kv.Namespace, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, fmt.Errorf("kv binding %q: %w", s.binding, err)
	}
	return ns, nil
}

// Get implements storage.Reader.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString(key, nil)
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	if v == nullText {
		return nil, fmt.Errorf("kv get %q: %w", key, storage.ErrNotFound)
	}
	return []byte(v), nil
}

// Put implements storage.Writer.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	ns, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	var po *kv.PutOptions
	switch {
	case opts.TTL > 0:
		po = &kv.PutOptions{ExpirationTTL: int(opts.TTL / time.Second)}
	case !opts.ExpireAt.IsZero():
		po = &kv.PutOptions{Expiration: int(opts.ExpireAt.Unix())}
	}
	if err := ns.PutString(key, string(value), po); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete implements storage.Writer.
func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.namespace(ctx)
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List implements storage.Reader. It returns a single page together with
// the cursor of the next one.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	ns, err := s.namespace(ctx)
	if err != nil {
		return storage.Page{}, err
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: q.Prefix,
		Cursor: q.Cursor,
		Limit:  min(max(q.Limit, 0), storage.MaxPage),
	})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kv list %q: %w", q.Prefix, err)
	}
	page := storage.Page{
		Entries:  make([]storage.Entry, 0, len(res.Keys)),
		Cursor:   res.Cursor,
		Complete: res.ListComplete,
	}
	for _, k := range res.Keys {
		e := storage.Entry{Name: k.Name}
		if k.Expiration > 0 {
			e.ExpiresAt = time.Unix(int64(k.Expiration), 0)
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}
