// Package store holds the storage contracts shared by the edge Worker (KV
// binding) and the wrenadmin backend (Cloudflare REST API).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Item is one pair to write. A zero TTL means "use the batch TTL".
type Item struct {
	Key, Value string
	TTL        time.Duration
}

type Getter interface {
	Get(ctx context.Context, key string) (value string, ok bool, err error)
}

type Putter interface {
	Put(ctx context.Context, key, value string, ttl time.Duration) error
}

type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// KV is what every backend provides.
type KV interface {
	Getter
	Putter
	Deleter
}

// BulkWriter is implemented by backends that write many pairs per request.
type BulkWriter interface {
	PutAll(ctx context.Context, ttl time.Duration, items ...Item) error
}

// BulkDeleter is implemented by backends that delete many keys per request.
type BulkDeleter interface {
	DeleteAll(ctx context.Context, keys ...string) error
}

// OpError describes a failed storage operation.
type OpError struct {
	Op, Namespace, Key string
	Err                error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("kv %s %s/%s: %v", e.Op, e.Namespace, e.Key, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// PutAll writes items through the bulk path when st has one, else one by one.
func PutAll(ctx context.Context, st Putter, ttl time.Duration, items ...Item) error {
	if bw, ok := st.(BulkWriter); ok {
		return bw.PutAll(ctx, ttl, items...)
	}
	var errs []error
	for _, it := range items {
		d := ttl
		if it.TTL > 0 {
			d = it.TTL
		}
		if err := st.Put(ctx, it.Key, it.Value, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DeleteAll removes keys through the bulk path when st has one.
func DeleteAll(ctx context.Context, st Deleter, keys ...string) error {
	if bd, ok := st.(BulkDeleter); ok {
		return bd.DeleteAll(ctx, keys...)
	}
	return ForEach(ctx, keys, st.Delete)
}

// ForEach calls fn for every key and joins the errors.
func ForEach(ctx context.Context, keys []string, fn func(context.Context, string) error) error {
	var errs []error
	for _, k := range keys {
		if err := fn(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}
