// Package tenant scopes storage to one organiser account.
//
// Every tenant's data lives under "t/<tenantID>/". Scope wraps a store so the
// domain code never builds the prefix itself.
package tenant

import (
	"context"
	"errors"
	"strings"

	"example.com/lantern/internal/store"
)

// ErrNoDelete is returned when the underlying store cannot delete.
var ErrNoDelete = errors.New("tenant: store does not support delete")

type scoped struct {
	inner  store.Store
	prefix string
}

// Scope returns a Store whose keys carry the tenant prefix. Listing strips
// the prefix again, so returned keys can be passed straight back to Get.
// The returned store also implements store.Deleter.
func Scope(st store.Store, tenantID string) store.Store {
	var b strings.Builder
	b.Grow(len(tenantID) + 3)
	b.WriteString("t/")
	b.WriteString(tenantID)
	b.WriteByte('/')
	return &scoped{inner: st, prefix: b.String()}
}

func (s *scoped) key(k string) string { return s.prefix + k }

func (s *scoped) Get(ctx context.Context, key string) ([]byte, error) {
	return s.inner.Get(ctx, s.key(key))
}

func (s *scoped) Put(ctx context.Context, key string, value []byte, opts store.PutOptions) error {
	return s.inner.Put(ctx, s.key(key), value, opts)
}

func (s *scoped) List(ctx context.Context, prefix, cursor string, limit int) (store.Page, error) {
	p, err := s.inner.List(ctx, s.key(prefix), cursor, limit)
	if err != nil {
		return p, err
	}
	for i, k := range p.Keys {
		p.Keys[i] = strings.TrimPrefix(k, s.prefix)
	}
	return p, nil
}

func (s *scoped) Delete(ctx context.Context, key string) error {
	d, ok := s.inner.(store.Deleter)
	if !ok {
		return ErrNoDelete
	}
	return d.Delete(ctx, s.key(key))
}
