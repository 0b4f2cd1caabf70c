// Package decorate wraps a storage.Store with cross-cutting behaviour:
// key namespacing, metrics, tracing, retries and read-through caching.
// Every decorator keeps the Lister capability of the store it wraps.
package decorate

import (
	"context"
	"strings"

	"example.com/sundial/internal/storage"
)

type prefixed struct {
	inner  storage.Store
	prefix string
}

type prefixedLister struct {
	prefixed
	lister storage.Lister
}

// WithPrefix namespaces every key of st under prefix, e.g. "t:acme:".
func WithPrefix(st storage.Store, prefix string) storage.Store {
	p := prefixed{inner: st, prefix: prefix}
	if l, ok := storage.AsLister(st); ok {
		return prefixedLister{prefixed: p, lister: l}
	}
	return p
}

func (p prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, p.prefix+key)
}

func (p prefixed) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return p.inner.Put(ctx, p.prefix+key, value, opts)
}

func (p prefixed) Delete(ctx context.Context, key string) error {
	return p.inner.Delete(ctx, p.prefix+key)
}

func (p prefixedLister) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	opts.Prefix = p.prefix + opts.Prefix
	page, err := p.lister.List(ctx, opts)
	if err != nil {
		return page, err
	}
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, p.prefix)
	}
	return page, nil
}

// keepLister returns wrapped, upgraded to a ListStore when inner can list.
func keepLister(wrapped storage.Store, inner storage.Store, list func(context.Context, storage.ListOptions) (storage.Page, error)) storage.Store {
	if _, ok := storage.AsLister(inner); !ok {
		return wrapped
	}
	return listStore{Store: wrapped, list: list}
}

type listStore struct {
	storage.Store
	list func(context.Context, storage.ListOptions) (storage.Page, error)
}

func (l listStore) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	return l.list(ctx, opts)
}
