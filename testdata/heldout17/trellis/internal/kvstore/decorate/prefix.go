// Package decorate wraps kvstore.Store: namespacing, metrics, tracing, retries, auditing.
package decorate

import (
	"context"
	"strings"

	"example.com/trellis/internal/kvstore"
)

// Prefixed scopes every key of the wrapped store under a fixed prefix.
type Prefixed struct {
	inner  kvstore.Store
	prefix string
}

// WithPrefix returns st scoped under prefix; prefixes nest.
func WithPrefix(st kvstore.Store, prefix string) *Prefixed {
	return &Prefixed{inner: st, prefix: prefix}
}

func (p *Prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, p.prefix+key)
}

func (p *Prefixed) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	return p.inner.Put(ctx, p.prefix+key, value, opts)
}

func (p *Prefixed) Delete(ctx context.Context, key string) error {
	return p.inner.Delete(ctx, p.prefix+key)
}

// List implements kvstore.Lister when the wrapped store does. Returned names have the prefix removed.
func (p *Prefixed) List(ctx context.Context, opts kvstore.ListOptions) (kvstore.Page, error) {
	l, ok := kvstore.AsLister(p.inner)
	if !ok {
		return kvstore.Page{}, kvstore.ErrUnsupported
	}
	opts.Prefix = p.prefix + opts.Prefix
	page, err := l.List(ctx, opts)
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, p.prefix)
	}
	return page, err
}

func (p *Prefixed) PutMany(ctx context.Context, pairs []kvstore.Pair) ([]string, error) {
	bw, ok := kvstore.AsBulkWriter(p.inner)
	if !ok {
		return nil, kvstore.ErrUnsupported
	}
	scoped := make([]kvstore.Pair, len(pairs))
	for i, pr := range pairs {
		pr.Key = p.prefix + pr.Key
		scoped[i] = pr
	}
	failed, err := bw.PutMany(ctx, scoped)
	for i := range failed {
		failed[i] = strings.TrimPrefix(failed[i], p.prefix)
	}
	return failed, err
}
