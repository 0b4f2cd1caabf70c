// Package tenant scopes storage to one tenant (one school or company).
//
// Every tenant-owned key lives under "t/<tenant>/". Platform-wide keys (the
// subdomain registry, webhook receipts) are written to the unscoped store.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"example.com/meadow/internal/storage"
)

// ErrInvalidID is returned for tenant IDs that could collide or escape a prefix.
var ErrInvalidID = errors.New("tenant: invalid id")

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Validate checks a tenant ID.
func Validate(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}

// Prefix returns the key prefix of tenant id.
func Prefix(id string) string {
	var b strings.Builder
	b.Grow(len(id) + 3)
	b.WriteString("t/")
	b.WriteString(id)
	b.WriteByte('/')
	return b.String()
}

// FromRequest extracts the tenant from the X-Meadow-Tenant header or the
// first label of the Host.
func FromRequest(r *http.Request) (string, error) {
	id := r.Header.Get("X-Meadow-Tenant")
	if id == "" {
		host := r.Host
		if i := strings.IndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		id, _, _ = strings.Cut(host, ".")
	}
	id = strings.ToLower(id)
	return id, Validate(id)
}

type scoped struct {
	inner  storage.Store
	prefix string
}

// Scope returns a store whose keys are confined to tenant id. Deletion and
// listing are available when inner supports them.
func Scope(inner storage.Store, id string) storage.Full {
	return &scoped{inner: inner, prefix: Prefix(id)}
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

func (s *scoped) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	return s.inner.Put(ctx, s.key(key), value, opts)
}

func (s *scoped) Delete(ctx context.Context, key string) error {
	d, ok := s.inner.(storage.Deleter)
	if !ok {
		return storage.ErrUnsupported
	}
	return d.Delete(ctx, s.key(key))
}

func (s *scoped) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	l, ok := s.inner.(storage.Lister)
	if !ok {
		return storage.Page{}, storage.ErrUnsupported
	}
	q.Prefix = s.key(q.Prefix)
	page, err := l.List(ctx, q)
	if err != nil {
		return storage.Page{}, err
	}
	for i := range page.Keys {
		page.Keys[i].Name = strings.TrimPrefix(page.Keys[i].Name, s.prefix)
	}
	return page, nil
}
