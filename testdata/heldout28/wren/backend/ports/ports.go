// Package ports declares the storage ports the backend services depend on.
package ports

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("ports: not found")

// KV is a namespaced key-value store.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Key is one entry of a listing.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   json.RawMessage
}

// Page is one page of a listing. Cursor is empty when Complete.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// PutOptions are the optional parts of a write.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  any
}

// PutOption sets a PutOptions field.
type PutOption func(*PutOptions)

// WithTTL expires the record d after the write, ExpireAt at t; WithMetadata attaches metadata that List returns.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }
func ExpireAt(t time.Time) PutOption    { return func(o *PutOptions) { o.ExpiresAt = t } }
func WithMetadata(m any) PutOption      { return func(o *PutOptions) { o.Metadata = m } }

// Apply folds opts into a PutOptions.
func Apply(opts []PutOption) PutOptions {
	var o PutOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

type tenantKey struct{}

// WithTenant scopes ctx to an operator tenant; adapters pick the tenant's namespace from it.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantFrom returns the tenant set by WithTenant, or "".
func TenantFrom(ctx context.Context) string {
	t, _ := ctx.Value(tenantKey{}).(string)
	return t
}
