// Package decorate wraps a storage.Store with cross-cutting behaviour: key
// prefixes, retries and an in-process read cache.
package decorate

import (
	"context"
	"strings"
	"time"

	"example.com/caravan/internal/storage"
)

type prefixed struct {
	inner  storage.Store
	prefix string
}

func (p prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, p.prefix+key)
}

func (p prefixed) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return p.inner.Put(ctx, p.prefix+key, value, ttl)
}

func (p prefixed) Delete(ctx context.Context, key string) error {
	return p.inner.Delete(ctx, p.prefix+key)
}

type prefixedLister struct {
	prefixed
	lister storage.Lister
}

func (p prefixedLister) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	page, err := p.lister.List(ctx, p.prefix+prefix, cursor, limit)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, p.prefix)
	}
	return page, err
}

// WithPrefix scopes every key of st under prefix, e.g. WithPrefix(st, "staging:").
// Listing is kept when st supports it; bulk capabilities are not.
func WithPrefix(st storage.Store, prefix string) storage.Store {
	base := prefixed{inner: st, prefix: prefix}
	if l, ok := storage.As[storage.Lister](st); ok {
		return prefixedLister{prefixed: base, lister: l}
	}
	return base
}
