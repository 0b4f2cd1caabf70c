// Package storage defines the key-value port, split into query and command halves.
package storage

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Reader.Get for a missing or expired key.
var ErrNotFound = errors.New("storage: key not found")

// KeyInfo describes one listed key. Values are not included in listings.
type KeyInfo struct {
	Name       string
	Expiration int64 // seconds since the epoch, 0 if the key does not expire
	Metadata   map[string]any
}

// Page is one page of a listing; Cursor continues it unless Complete.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// ListOptions selects keys by prefix. Limit 0 means the backend default.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// PutOptions controls expiry and metadata; TTL wins over ExpiresAt.
type PutOptions struct {
	TTL       time.Duration
	ExpiresAt time.Time
	Metadata  map[string]any
}

// Reader is the query half of the port.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Writer is the command half of the port.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// ReadWriter is the full port.
type ReadWriter interface {
	Reader
	Writer
}

// Split joins an independent Reader and Writer into a ReadWriter.
func Split(r Reader, w Writer) ReadWriter {
	return struct {
		Reader
		Writer
	}{r, w}
}

// Walk calls fn for every key under prefix in at most maxPages pages and
// returns the cursor to resume from ("" when done).
func Walk(ctx context.Context, r Reader, prefix string, maxPages int, fn func(KeyInfo) error) (string, error) {
	opts := ListOptions{Prefix: prefix}
	for i := 0; i < maxPages; i++ {
		page, err := r.List(ctx, opts)
		if err != nil {
			return opts.Cursor, err
		}
		for _, k := range page.Keys {
			if err := fn(k); err != nil {
				return opts.Cursor, err
			}
		}
		if page.Complete {
			return "", nil
		}
		opts.Cursor = page.Cursor
	}
	return opts.Cursor, nil
}
