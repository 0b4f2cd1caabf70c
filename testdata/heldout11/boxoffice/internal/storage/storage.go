// Package storage defines the key-value port the domain packages use. The
// production adapter (package kvstore) talks to Workers KV; package memstore
// is an in-memory fake for tests.
package storage

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: not found")

// OpError describes a failed storage operation.
type OpError struct {
	Op  string
	Key string
	Err error
}

func (e *OpError) Error() string { return fmt.Sprintf("storage %s %q: %v", e.Op, e.Key, e.Err) }

// Unwrap exposes the cause, so errors.Is(err, ErrNotFound) works through it.
func (e *OpError) Unwrap() error { return e.Err }

// Temporary reports whether retrying may help.
func (e *OpError) Temporary() bool {
	return !errors.Is(e.Err, ErrNotFound) && !errors.Is(e.Err, context.Canceled)
}

// KeyInfo is one entry of a listing.
type KeyInfo struct {
	Name       string
	Expiration int64
}

// Page is one page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Store is the port implemented by adapters.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// PutOptions controls expiry of a written value. When both are set, TTL wins.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
}

// PutOption adjusts PutOptions.
type PutOption func(*PutOptions)

// WithTTL expires the value d after the write.
func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// WithExpiry expires the value at t.
func WithExpiry(t time.Time) PutOption { return func(o *PutOptions) { o.ExpireAt = t } }

// Resolve merges opts over defaults.
func Resolve(defaults PutOptions, opts ...PutOption) PutOptions {
	o := defaults
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// Keys walks every key under prefix, page by page, until the listing is
// complete or the consumer stops.
func Keys(ctx context.Context, s Store, prefix string) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		cursor := ""
		for {
			page, err := s.List(ctx, ListOptions{Prefix: prefix, Cursor: cursor})
			if err != nil {
				yield(KeyInfo{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete || page.Cursor == "" {
				return
			}
			cursor = page.Cursor
		}
	}
}

// Exists reports whether key is present.
func Exists(ctx context.Context, s Store, key string) (bool, error) {
	_, err := s.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}
