// Package kvstore defines the storage port the fleet services are written
// against. The production implementation lives in cfkv; memkv is the fake used
// by tests.
package kvstore

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Entry is one listed key.
type Entry struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// Page is one page of a listing. An empty Cursor means the listing is done.
type Page struct {
	Entries []Entry
	Cursor  string
}

// Done reports whether there is nothing left to fetch after this page.
func (p Page) Done() bool { return p.Cursor == "" }

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Store is the full port.
type Store interface {
	Reader
	Writer
	Lister
}

// PutOptions are the resolved options of one write.
type PutOptions struct {
	TTL      time.Duration
	Metadata map[string]any
}

type PutOption func(*PutOptions)

// WithTTL makes the key expire after d.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithMetadata attaches metadata that List returns alongside the key.
func WithMetadata(m map[string]any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Collect resolves a list of options.
func Collect(opts ...PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Saver persists a value; services that only write depend on this.
type Saver interface {
	Save(ctx context.Context, key string, value []byte, opts ...PutOption) error
}

// SaveFunc lets a plain function (or a method value such as store.Put) act as
// a Saver.
type SaveFunc func(ctx context.Context, key string, value []byte, opts ...PutOption) error

func (f SaveFunc) Save(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	return f(ctx, key, value, opts...)
}

// Pending is a fluent write: kvstore.Write(w).Key("a", "b").TTL(d).Put(ctx, v).
type Pending struct {
	w    Writer
	key  string
	opts []PutOption
}

func Write(w Writer) *Pending { return &Pending{w: w} }

// Key joins its parts with ":".
func (p *Pending) Key(parts ...string) *Pending {
	p.key = strings.Join(parts, ":")
	return p
}

func (p *Pending) TTL(d time.Duration) *Pending {
	p.opts = append(p.opts, WithTTL(d))
	return p
}

func (p *Pending) Meta(m map[string]any) *Pending {
	p.opts = append(p.opts, WithMetadata(m))
	return p
}

func (p *Pending) Put(ctx context.Context, v []byte) error {
	return p.w.Put(ctx, p.key, v, p.opts...)
}
