// Package store defines the storage ports the domain packages depend on.
// Production uses kvstore (Workers KV); tests use memstore.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or expired).
var ErrNotFound = errors.New("store: key not found")

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
}

type Lister interface {
	List(ctx context.Context, prefix string, opts ...ListOption) (Page, error)
}

// Store is the full port. Most services only need one of the parts.
type Store interface {
	Reader
	Writer
	Lister
}

// PutOptions is what a Writer implementation sees after applying options.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

type PutOption func(*PutOptions)

// WithTTL expires the entry d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// ExpireAt expires the entry at t.
func ExpireAt(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

func ApplyPut(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

type ListOptions struct {
	Cursor string
	Limit  int
}

type ListOption func(*ListOptions)

// After continues a listing from a cursor returned in a previous Page.
func After(cursor string) ListOption { return func(o *ListOptions) { o.Cursor = cursor } }

// PageSize caps the number of keys in one Page.
func PageSize(n int) ListOption { return func(o *ListOptions) { o.Limit = n } }

func ApplyList(opts []ListOption) ListOptions {
	var o ListOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Page is one page of key names. Complete is false when Cursor leads to more.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// PutFunc lets a plain function stand in where a put is expected.
type PutFunc func(ctx context.Context, key string, value []byte, opts ...PutOption) error

func (f PutFunc) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	return f(ctx, key, value, opts...)
}

// Lookup is Get with the miss folded into a boolean.
func Lookup(ctx context.Context, r Reader, key string) ([]byte, bool, error) {
	v, err := r.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return v, true, nil
}

// GetJSON loads and decodes a JSON value.
func GetJSON[T any](ctx context.Context, r Reader, key string) (T, bool, error) {
	var out T
	raw, found, err := Lookup(ctx, r, key)
	if err != nil || !found {
		return out, found, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, false, fmt.Errorf("store: decode %s: %w", key, err)
	}
	return out, true, nil
}

// PutJSON encodes v as JSON and writes it.
func PutJSON[T any](ctx context.Context, w Writer, key string, v T, opts ...PutOption) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	return w.Put(ctx, key, b, opts...)
}
