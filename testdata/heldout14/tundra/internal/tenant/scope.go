// Package tenant confines a store to one tenant's slice of the keyspace.
package tenant

import (
	"context"
	"strings"

	"example.com/tundra/internal/storage"
)

// Scope returns a store whose keys are all prefixed with the tenant's
// partition, "t/<tenantID>/". Listing strips the prefix again, so callers
// never see another tenant's keys or their own prefix.
func Scope(st storage.Store, tenantID string) storage.Store {
	var b strings.Builder
	b.Grow(len(tenantID) + 3)
	b.WriteString("t/")
	b.WriteString(tenantID)
	b.WriteByte('/')
	return &scoped{inner: st, prefix: b.String()}
}

type scoped struct {
	inner  storage.Store
	prefix string
}

func (s *scoped) key(k string) string {
	var b strings.Builder
	b.Grow(len(s.prefix) + len(k))
	b.WriteString(s.prefix)
	b.WriteString(k)
	return b.String()
}

func (s *scoped) Get(ctx context.Context, key string) ([]byte, error) {
	return s.inner.Get(ctx, s.key(key))
}

func (s *scoped) Put(ctx context.Context, key string, value []byte, opts storage.WriteOpts) error {
	return s.inner.Put(ctx, s.key(key), value, opts)
}

// Delete forwards to the underlying store when it can delete.
func (s *scoped) Delete(ctx context.Context, key string) error {
	d, ok := s.inner.(storage.Deleter)
	if !ok {
		return storage.ErrUnsupported
	}
	return d.Delete(ctx, s.key(key))
}

func (s *scoped) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	q.Prefix = s.key(q.Prefix)
	page, err := s.inner.List(ctx, q)
	if err != nil {
		return page, err
	}
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, s.prefix)
	}
	return page, nil
}
