package kv

import (
	"context"
	"strings"
)

// Prefixed is a view of a Store in which every key is scoped under a fixed
// prefix, typically a tenant (creator account) id.
type Prefixed struct {
	inner  Store
	prefix string
}

// NewPrefixed scopes s under prefix. Nested views concatenate prefixes.
func NewPrefixed(s Store, prefix string) Prefixed {
	if p, ok := s.(Prefixed); ok {
		return Prefixed{inner: p.inner, prefix: p.prefix + prefix}
	}
	return Prefixed{inner: s, prefix: prefix}
}

// Get reads key within the view.
func (p Prefixed) Get(ctx context.Context, key string) ([]byte, error) {
	return p.inner.Get(ctx, p.prefix+key)
}

// Put writes key within the view.
func (p Prefixed) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return p.inner.Put(ctx, p.prefix+key, value, opts)
}

// Delete removes key within the view.
func (p Prefixed) Delete(ctx context.Context, key string) error {
	return p.inner.Delete(ctx, p.prefix+key)
}

// List pages through keys within the view and strips the view prefix from
// returned names.
func (p Prefixed) List(ctx context.Context, req ListRequest) (ListPage, error) {
	req.Prefix = p.prefix + req.Prefix
	page, err := p.inner.List(ctx, req)
	if err != nil {
		return page, err
	}
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, p.prefix)
	}
	return page, nil
}

// ForTenant returns a further-scoped view for a tenant.
func (p Prefixed) ForTenant(id string) Store { return NewPrefixed(p, "t/"+id+"/") }
