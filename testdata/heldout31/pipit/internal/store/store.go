// Package store defines the key-value port the domain packages depend on and
// the adapter that runs it on top of a kvop executor chain.
package store

import (
	"context"
	"time"

	"example.com/pipit/internal/kvop"
)

// ErrNotFound reports a missing key. It is the executor's sentinel so that
// errors.Is works whichever layer a caller sits on.
var ErrNotFound = kvop.ErrNotFound

// DefaultLimit is the page size used when a Query leaves Limit unset.
const DefaultLimit = 100

// Query selects keys by prefix, one page at a time.
type Query struct {
	Prefix string
	Limit  int
	After  string // cursor returned as Page.Next by the previous call
}

// WithDefaults fills in the page size when the caller did not choose one.
func (q Query) WithDefaults() Query {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	return q
}

// Entry is one listed key.
type Entry struct {
	Key        string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of listed keys. Next is empty when nothing follows.
type Page struct {
	Entries []Entry
	Next    string
}

// Done reports whether this is the last page.
func (p Page) Done() bool { return p.Next == "" }

// PutOptions are the optional parts of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// PutOption customises one write.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiry expires the value at t.
func WithExpiry(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

// WithMetadata attaches metadata that list results carry alongside the key.
func WithMetadata(m any) PutOption { return func(o *PutOptions) { o.Metadata = m } }

// KV is the storage port.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	Find(ctx context.Context, q Query) (Page, error)
}

// OpStore adapts an executor chain to the KV port.
type OpStore struct {
	exec kvop.Exec
}

var _ KV = (*OpStore)(nil)

// FromExec returns a KV that turns each call into an Op.
func FromExec(exec kvop.Exec) *OpStore { return &OpStore{exec: exec} }

func (s *OpStore) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.exec(ctx, kvop.Get(key))
	if err != nil {
		return nil, err
	}
	return res.Value, nil
}

func (s *OpStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	res, err := s.exec(ctx, kvop.GetMany(keys...))
	if err != nil {
		return nil, err
	}
	return res.Values, nil
}

func (s *OpStore) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	_, err := s.exec(ctx, kvop.Op{
		Kind:     kvop.OpPut,
		Key:      key,
		Value:    value,
		TTL:      o.TTL,
		ExpireAt: o.ExpireAt,
		Metadata: o.Metadata,
	})
	return err
}

func (s *OpStore) Delete(ctx context.Context, key string) error {
	_, err := s.exec(ctx, kvop.Delete(key))
	return err
}

func (s *OpStore) Find(ctx context.Context, q Query) (Page, error) {
	q = q.WithDefaults()
	res, err := s.exec(ctx, kvop.List(q.Prefix, q.Limit, q.After))
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: make([]Entry, 0, len(res.Keys))}
	for _, k := range res.Keys {
		p.Entries = append(p.Entries, Entry{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata})
	}
	if !res.Complete {
		p.Next = res.Cursor
	}
	return p, nil
}
