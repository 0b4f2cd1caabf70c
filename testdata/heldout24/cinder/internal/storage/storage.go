// Package storage defines the key-value ports the services depend on. The
// production adapters live in kvstore (Workers binding) and cfsync (REST API);
// memstore is the in-memory implementation used by tests and local runs.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: not found")

// Getter reads a single value.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter writes a single value.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
}

// Deleter removes a single value.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister enumerates keys one page at a time.
type Lister interface {
	List(ctx context.Context, q ListQuery) (Page, error)
}

// Store is the full key-value port.
type Store interface {
	Getter
	Putter
	Deleter
	Lister
}

// ListQuery selects a page of keys.
type ListQuery struct {
	Prefix string
	Cursor string
	Limit  int
}

// KeyInfo describes one listed key. Values are never returned by List.
type KeyInfo struct {
	Name      string
	ExpiresAt time.Time
}

// Page is one page of a listing. Complete is false while more keys remain,
// even when Keys is empty.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// PutOptions collects the optional parameters of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// PutOption configures a write.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithExpireAt expires the value at an absolute instant.
func WithExpireAt(t time.Time) PutOption {
	return func(o *PutOptions) { o.ExpireAt = t }
}

// ApplyPut folds opts into a PutOptions value.
func ApplyPut(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// IsNotFound reports whether err means the key was absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// TenantScoped is implemented by stores that can hand out a view whose keys
// are confined to one tenant.
type TenantScoped interface {
	ForTenant(id string) Store
}
