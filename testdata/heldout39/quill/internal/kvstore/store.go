// Package kvstore adapts Workers KV to the small interfaces the rest of quill
// uses. The Worker binding (edge.go, js/wasm) and the Cloudflare REST API
// (rest.go) both serve them.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Getter reads one key; found is false when the key does not exist.
type Getter interface {
	Get(ctx context.Context, key string) (value string, found bool, err error)
}

// Putter writes one key. A zero ttl means the key does not expire.
type Putter interface {
	Put(ctx context.Context, key, value string, ttl time.Duration) error
}

type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister returns one page of key names.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

type ReadWriter interface {
	Getter
	Putter
}

// Store is a whole namespace.
type Store interface {
	ReadWriter
	Deleter
	Lister
}

// BulkWriter is implemented by stores that can write many pairs in one call.
type BulkWriter interface {
	PutMany(ctx context.Context, items []Item) error
}

// BulkDeleter is implemented by stores that can delete many keys in one call.
type BulkDeleter interface {
	DeleteMany(ctx context.Context, keys []string) error
}

type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Item is one pair for PutAll. A zero TTL takes PutAll's default.
type Item struct {
	Key, Value string
	TTL        time.Duration
}

// Seconds is a lifetime in whole seconds, the unit KV takes.
type Seconds int64

func ToSeconds(d time.Duration) Seconds { return Seconds(d / time.Second) }

// OpError records which operation on which key failed.
type OpError struct {
	Op, Key string
	Err     error
}

func (e *OpError) Error() string { return fmt.Sprintf("kv %s %q: %v", e.Op, e.Key, e.Err) }

func (e *OpError) Unwrap() error { return e.Err }

// BusyError is returned by Lease when someone else holds the lease.
type BusyError struct{ Key, Owner string }

func (e *BusyError) Error() string { return fmt.Sprintf("lease %s held by %s", e.Key, e.Owner) }

// PutAll writes items in one bulk call when st supports it, one by one
// otherwise. ttl applies to items that carry none.
func PutAll(ctx context.Context, st Putter, ttl time.Duration, items ...Item) error {
	for i := range items {
		if items[i].TTL == 0 {
			items[i].TTL = ttl
		}
	}
	if bw, ok := st.(BulkWriter); ok && len(items) > 0 {
		if err := bw.PutMany(ctx, items); err != nil {
			return fmt.Errorf("kvstore: bulk put of %d items: %w", len(items), err)
		}
		return nil
	}
	var errs []error
	for _, it := range items {
		if err := st.Put(ctx, it.Key, it.Value, it.TTL); err != nil {
			errs = append(errs, &OpError{Op: "put", Key: it.Key, Err: err})
		}
	}
	return errors.Join(errs...)
}

// DeleteAll removes keys, in bulk when st supports it.
func DeleteAll(ctx context.Context, st Deleter, keys ...string) error {
	if bd, ok := st.(BulkDeleter); ok {
		return bd.DeleteMany(ctx, keys)
	}
	return forEach(keys, func(k string) error { return st.Delete(ctx, k) })
}

func forEach(keys []string, fn func(string) error) error {
	var errs []error
	for _, k := range keys {
		if err := fn(k); err != nil {
			errs = append(errs, &OpError{Op: "each", Key: k, Err: err})
		}
	}
	return errors.Join(errs...)
}

// Apply calls fn for each id, stopping at the first error.
func Apply(ctx context.Context, ids []string, fn func(context.Context, string) error) error {
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(ctx, id); err != nil {
			return fmt.Errorf("apply %s: %w", id, err)
		}
	}
	return nil
}

// Pager returns a function that yields successive pages under prefix; more
// is false once the last page has been returned.
func Pager(ctx context.Context, l Lister, prefix string, pageSize int) func() (keys []string, more bool, err error) {
	cursor, done := "", false
	return func() ([]string, bool, error) {
		if done {
			return nil, false, nil
		}
		p, err := l.List(ctx, prefix, cursor, pageSize)
		if err != nil {
			return nil, false, err
		}
		cursor, done = p.Cursor, p.Complete || p.Cursor == ""
		return p.Keys, !done, nil
	}
}

// Collect lists at most maxPages pages under prefix; truncated reports that
// more keys remain.
func Collect(ctx context.Context, l Lister, prefix string, maxPages int) (keys []string, truncated bool, err error) {
	next := Pager(ctx, l, prefix, 1000)
	for page := 0; page < maxPages; page++ {
		ks, more, err := next()
		if err != nil {
			return keys, false, err
		}
		keys = append(keys, ks...)
		if !more {
			return keys, false, nil
		}
	}
	return keys, true, nil
}

// Lease takes a short-lived lock on key for owner; release removes it.
func Lease(ctx context.Context, st interface {
	ReadWriter
	Deleter
}, key, owner string, ttl time.Duration) (release func(), err error) {
	holder, found, err := st.Get(ctx, key)
	if err != nil {
		return nil, &OpError{Op: "lease", Key: key, Err: err}
	}
	if found && holder != owner {
		return nil, &BusyError{Key: key, Owner: holder}
	}
	if err := st.Put(ctx, key, owner, ttl); err != nil { // EXPECT kvrace
		return nil, &OpError{Op: "lease", Key: key, Err: err}
	}
	return func() { _ = st.Delete(context.WithoutCancel(ctx), key) }, nil
}
