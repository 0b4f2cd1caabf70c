// Package kv defines the key-value storage port shared by every service. The
// backends are in internal/infra (Workers KV) and internal/kv/memkv (memory).
package kv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned by Store.Get when the key does not exist or expired.
var ErrNotFound = errors.New("kv: key not found")

// IsNotFound reports whether err means the key is absent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// KeyInfo is one entry of a listing. Values are never included.
type KeyInfo struct {
	Name       string
	Expiration int64 // unix seconds, zero when the key does not expire
	Metadata   json.RawMessage
}

// ListParams selects a page of keys.
type ListParams struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete is true when there is nothing more
// to fetch; Cursor continues the listing otherwise.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the storage port.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...PutOption) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, p ListParams) (Page, error)
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// BulkWriter is implemented by backends that accept many pairs per request.
type BulkWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// PutOptions is the resolved form of a list of PutOption.
type PutOptions struct {
	TTL      time.Duration
	Metadata any
}

// PutOption customises a single write.
type PutOption func(*PutOptions)

// WithTTL makes the pair expire d after the write.
func WithTTL(d time.Duration) PutOption {
	return func(o *PutOptions) { o.TTL = d }
}

// WithMetadata attaches JSON metadata, returned by List.
func WithMetadata(m any) PutOption {
	return func(o *PutOptions) { o.Metadata = m }
}

// Resolve folds opts into a PutOptions value.
func Resolve(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// TTLSeconds is the TTL in whole seconds as the REST API expects it.
func (o PutOptions) TTLSeconds() int { return int(o.TTL / time.Second) }

// GetJSON reads key and decodes it into v.
func GetJSON(ctx context.Context, s Store, key string, v any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("kv: decode %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func PutJSON(ctx context.Context, s Store, key string, v any, opts ...PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv: encode %q: %w", key, err)
	}
	return s.Put(ctx, key, raw, opts...)
}

// Update reads key as JSON into a T, lets fn change it and writes it back.
// A missing key starts from the zero T; an error from fn aborts the write.
func Update[T any](ctx context.Context, s Store, key string, fn func(*T) error, opts ...PutOption) error {
	var v T
	err := GetJSON(ctx, s, key, &v)
	if err != nil && !IsNotFound(err) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return PutJSON(ctx, s, key, v, opts...)
}

// MaxBulkPairs is the most pairs the bulk write endpoint accepts per request.
const MaxBulkPairs = 10_000

// PutAll writes entries through bw in batches the bulk endpoint accepts.
func PutAll(ctx context.Context, bw BulkWriter, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(entries))
		if err := bw.PutMany(ctx, entries[start:end]); err != nil {
			return fmt.Errorf("kv: bulk write %d-%d: %w", start, end, err)
		}
	}
	return nil
}
