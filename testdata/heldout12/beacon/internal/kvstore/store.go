// Package kvstore is beacon's storage port: the small key-value interface the
// domain packages depend on. cfkv implements it on Workers KV; memkv is the
// in-memory fake used in tests.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// PutOptions controls expiry and metadata of a write. TTL wins over
// ExpireAt when both are set, as in the Cloudflare API.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// KeyInfo is one entry of a listing.
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

func (p Page) Done() bool { return p.Cursor == "" }

type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Writer interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Store is the full port most services are given.
type Store interface {
	Reader
	Writer
	Lister
}

// BulkReader is implemented by stores that fetch up to 100 keys in one round
// trip. Missing keys are absent from the result.
type BulkReader interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
}

// GetJSON reads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, r Reader, key string) (T, error) {
	var v T
	raw, err := r.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("kvstore: decode %q: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON(ctx context.Context, w Writer, key string, v any, opts PutOptions) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %q: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts)
}
