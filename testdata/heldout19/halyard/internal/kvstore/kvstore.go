// Package kvstore defines the storage port the halyard services use for
// edge-replicated key/value data. Adapters live in cfkv (Cloudflare Workers KV)
// and memkv (in-memory, for tests and local runs).
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Reader.Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Seconds is a relative expiry in whole seconds.
type Seconds int64

// SecondsOf converts a duration to whole seconds, truncating.
func SecondsOf(d time.Duration) Seconds { return Seconds(d / time.Second) }

// Duration converts back to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	// TTL is a relative expiry in seconds. Zero means no expiry.
	TTL Seconds
	// ExpireAt is an absolute expiry in Unix seconds. Zero means none.
	ExpireAt int64
	// Metadata is stored alongside the value and must marshal to JSON.
	Metadata any
}

// KeyInfo describes a listed key.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Done reports whether there are no further pages.
func (p Page) Done() bool { return p.Cursor == "" }

// Reader is the query half of the port.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Lister enumerates keys by prefix, one page at a time.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Writer is the command half of the port.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// ReadWriter is the full port.
type ReadWriter interface {
	Reader
	Lister
	Writer
}

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
