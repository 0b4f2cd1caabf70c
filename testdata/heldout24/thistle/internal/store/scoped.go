package store

import (
	"context"
	"strings"
)

// scoped is a tenant view over another store. All keys are rewritten under
// "t/<tenant>/" and listings are confined to that prefix.
type scoped struct {
	inner  Store
	prefix string
}

// Scope returns a tenant-scoped view of s. Stores that implement Scoper
// are asked to build the view themselves.
func Scope(s Store, tenant string) Store {
	if sc, ok := s.(Scoper); ok {
		return sc.ForTenant(tenant)
	}
	return &scoped{inner: s, prefix: "t/" + tenant + "/"}
}

func (s *scoped) Get(ctx context.Context, key string) ([]byte, error) {
	return s.inner.Get(ctx, s.prefix+key)
}

func (s *scoped) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return s.inner.Put(ctx, s.prefix+key, value, opts)
}

func (s *scoped) Delete(ctx context.Context, key string) error {
	return s.inner.Delete(ctx, s.prefix+key)
}

func (s *scoped) List(ctx context.Context, q ListQuery) (Page, error) {
	q.Prefix = s.prefix + q.Prefix
	p, err := s.inner.List(ctx, q)
	if err != nil {
		return Page{}, err
	}
	for i := range p.Entries {
		p.Entries[i].Key = strings.TrimPrefix(p.Entries[i].Key, s.prefix)
	}
	return p, nil
}

func (s *scoped) ForTenant(id string) Store {
	return &scoped{inner: s.inner, prefix: s.prefix + "t/" + id + "/"}
}
