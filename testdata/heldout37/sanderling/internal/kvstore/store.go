// Package kvstore is the auth backend's adapter for Workers KV: small
// interfaces that domain packages compose, a REST implementation on
// cloudflare-go, and decorators stacked around it (key prefixes, metrics,
// logging, read-only guards, TTL floors).
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

var (
	// ErrNotFound is returned by Get and GetMeta when the key does not exist.
	ErrNotFound = errors.New("kvstore: key not found")
	// ErrReadOnly is returned by writes through a read-only store.
	ErrReadOnly = errors.New("kvstore: store is read-only")
)

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutOptions control expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration // relative lifetime; zero means no expiry
	ExpireAt time.Time     // absolute expiry, used when TTL is zero
	Metadata any           // returned by GetMeta and List
}

// Entry is one key returned by List.
type Entry struct {
	Key        Key
	Expiration time.Time
	Metadata   json.RawMessage
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Entries []Entry
	Cursor  string
}

// Done reports whether p is the last page of its listing.
func (p Page) Done() bool { return p.Cursor == "" }

// ListOptions select a page of keys.
type ListOptions struct {
	Prefix Key
	Cursor string
	Limit  int
}

type Getter interface {
	Get(ctx context.Context, k Key) ([]byte, error)
}

// MetaGetter reads a value and decodes its metadata into meta.
type MetaGetter interface {
	GetMeta(ctx context.Context, k Key, meta any) ([]byte, error)
}

type Putter interface {
	Put(ctx context.Context, k Key, v []byte, o PutOptions) error
}

type Deleter interface {
	Delete(ctx context.Context, k Key) error
}

type Lister interface {
	List(ctx context.Context, o ListOptions) (Page, error)
}

// Store reads and writes values.
type Store interface {
	Getter
	Putter
}

// Namespace is everything a KV namespace offers.
type Namespace interface {
	Store
	MetaGetter
	Deleter
	Lister
}

// Item is one pair of a bulk write.
type Item struct {
	Key   Key
	Value []byte
	Opts  PutOptions
}

// MaxBulk is the most pairs one bulk write may carry.
const MaxBulk = 10_000
