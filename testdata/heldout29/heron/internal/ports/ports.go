// Package ports declares the storage port the backend services depend on.
// Adapters live under internal/platform: cfkv talks to Workers KV through
// the Cloudflare API, memkv keeps everything in memory for tests and local
// runs.
package ports

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("storage: key not found")

// PutOpts are optional write settings. A nil *PutOpts means "use the
// handle's defaults"; every accessor below is safe on a nil receiver.
type PutOpts struct {
	// TTL is a relative lifetime. Zero means the handle's default lifetime.
	TTL time.Duration
	// ExpireAt is an absolute expiry. It is ignored when TTL is set.
	ExpireAt time.Time
	// Metadata is stored alongside the value and returned by List and
	// GetEntry. It must marshal to JSON.
	Metadata any
}

// Lifetime returns the relative lifetime, falling back to def.
func (o *PutOpts) Lifetime(def time.Duration) time.Duration {
	if o == nil || o.TTL == 0 {
		return def
	}
	return o.TTL
}

// Deadline returns the absolute expiry or the zero time.
func (o *PutOpts) Deadline() time.Time {
	if o == nil {
		return time.Time{}
	}
	return o.ExpireAt
}

// Meta returns the metadata or nil.
func (o *PutOpts) Meta() any {
	if o == nil {
		return nil
	}
	return o.Metadata
}

// Entry is a value with its metadata.
type Entry struct {
	Value    []byte
	Metadata json.RawMessage
}

// Key is one listed key.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   json.RawMessage
}

// ListReq asks for one page of keys.
type ListReq struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of keys. Complete is true on the last page; Keys may be
// empty on a page that is not the last.
type Page struct {
	Keys     []Key
	Cursor   string
	Complete bool
}

// Item is one pair of a bulk write.
type Item struct {
	Key   string
	Value []byte
	Opts  *PutOpts
}

// KV is the key-value port.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	GetEntry(ctx context.Context, key string) (Entry, error)
	Put(ctx context.Context, key string, value []byte, opts *PutOpts) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, req ListReq) (Page, error)
	BulkGet(ctx context.Context, keys []string) (map[string][]byte, error)
	BulkPut(ctx context.Context, items []Item) error
}

// Handle is a KV bound to one namespace, a key prefix and a default
// lifetime. Prefixed and WithLifetime return new handles and leave the
// receiver unchanged.
type Handle interface {
	KV
	Prefixed(prefix string) Handle
	WithLifetime(d time.Duration) Handle
	Name() string
}

// Backend opens namespace handles.
type Backend interface {
	Namespace(id string) Handle
}
