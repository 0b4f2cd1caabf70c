// Package kvstore defines the storage port the game services talk to. The
// production adapter (cfkv) speaks to Workers KV over the Cloudflare REST API;
// memkv keeps everything in process for local runs.
package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Store is the minimal key-value surface used across the backend.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...Option) error
	Delete(ctx context.Context, key string) error
	// List returns a single page of keys under prefix. Callers page with
	// WithCursor and must keep passing the same prefix.
	List(ctx context.Context, prefix string, opts ...Option) (Page, error)
	// PutBatch writes many entries at once. Per-entry TTL and metadata win
	// over the call options.
	PutBatch(ctx context.Context, entries []Entry, opts ...Option) error
}

// KeyInfo describes one listed key. Values are never returned by List.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is one page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Entry is one element of a batch write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
