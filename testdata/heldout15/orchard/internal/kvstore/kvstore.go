// Package kvstore is the storage port the domain packages depend on. The
// production implementation is cfkv (Workers KV); tests use memkv.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Store is a namespaced key-value store.
type Store interface {
	// Get returns the value under key; a missing key is a *NotFoundError.
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opt PutOptions) error
	Delete(ctx context.Context, key string) error
	// List returns one page of keys; Complete is false while more remain.
	List(ctx context.Context, q ListQuery) (Page, error)
}

// PutOptions sets expiry (TTL wins over ExpiresAt, unix seconds) and
// metadata for a write.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt int64
	Metadata  map[string]string
}

type ListQuery struct {
	Prefix, Cursor string
	Limit          int
}

type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]string
}

type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

var (
	ErrNotFound   = errors.New("kvstore: key not found")
	ErrThrottled  = errors.New("kvstore: write rate limited")
	ErrPageBudget = errors.New("kvstore: page budget exhausted before end of listing")
)

type NotFoundError struct{ Key string }

func (e *NotFoundError) Error() string        { return fmt.Sprintf("kvstore: key %q not found", e.Key) }
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// OpError wraps a backend error with the operation and key.
type OpError struct {
	Op, Key string
	Err     error
}

func (e *OpError) Error() string { return fmt.Sprintf("kvstore: %s %q: %v", e.Op, e.Key, e.Err) }
func (e *OpError) Unwrap() error { return e.Err }

func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Keys streams the names under prefix, reading at most maxPages pages. The
// error channel gets at most one value and is closed after the name channel.
func Keys(ctx context.Context, s Store, prefix string, maxPages int) (<-chan string, <-chan error) {
	names, errc := make(chan string), make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(names)
		q := ListQuery{Prefix: prefix, Limit: 1000}
		for page := 0; page < max(maxPages, 1); page++ {
			p, err := s.List(ctx, q)
			if err != nil {
				errc <- err
				return
			}
			for _, k := range p.Keys {
				select {
				case names <- k.Name:
				case <-ctx.Done():
					errc <- ctx.Err()
					return
				}
			}
			if p.Complete {
				return
			}
			q.Cursor = p.Cursor
		}
		errc <- ErrPageBudget
	}()
	return names, errc
}
