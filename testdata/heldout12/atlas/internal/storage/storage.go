// Package storage defines the key-value port the domain packages depend on.
// The production adapter is kvstore (Workers KV over the REST API); tests use
// memstore.
package storage

import (
	"context"
	"errors"
	"iter"
	"time"
)

// ErrNotFound is returned by Reader.Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// ErrPageBudget is yielded by Keys when it stops before the end of the keyspace.
var ErrPageBudget = errors.New("storage: list page budget exhausted")

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing. Cursor is empty when the listing is complete.
type Page struct {
	Keys   []KeyInfo
	Cursor string
}

// Complete reports whether there are no further pages.
func (p Page) Complete() bool { return p.Cursor == "" }

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	// Put stores value under key. A zero ttl means the key does not expire.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
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

// MetaWriter is implemented by stores that can attach listing metadata.
type MetaWriter interface {
	PutWithMetadata(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error
}

// Keys iterates over key names under prefix, reading at most maxPages pages.
// When the budget runs out before the listing is complete it yields
// ErrPageBudget as its final element.
func Keys(ctx context.Context, l Lister, prefix string, pageSize, maxPages int) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		cursor := ""
		for range maxPages {
			page, err := l.List(ctx, prefix, cursor, pageSize)
			if err != nil {
				yield(KeyInfo{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete() {
				return
			}
			cursor = page.Cursor
		}
		yield(KeyInfo{}, ErrPageBudget)
	}
}
