// Package kvstore is smew's storage layer over Workers KV. It hides which SDK
// is in use (the Workers binding at the edge, the REST API in the back office)
// and exposes optional capabilities as separate interfaces that callers
// discover with a type assertion.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Optional is the outcome of a point read. Found is false when the key does
// not exist or has expired.
type Optional[T any] struct {
	Value T
	Found bool
}

// Some wraps a value that was found.
func Some[T any](v T) Optional[T] { return Optional[T]{Value: v, Found: true} }

// None is the empty Optional.
func None[T any]() Optional[T] { return Optional[T]{} }

// Result carries a value or the error that prevented producing it. It is
// what travels over reply channels, where a (T, error) pair cannot.
type Result[T any] struct {
	Value T
	Err   error
}

// Ok wraps a successful value.
func Ok[T any](v T) Result[T] { return Result[T]{Value: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unpack returns the pair for callers that want the usual idiom.
func (r Result[T]) Unpack() (T, error) { return r.Value, r.Err }

// Entry is one pair of a batch write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// KeyInfo is one listed key. Metadata is only filled by back ends that
// return it.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of a listing. Complete reports that no further page exists.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the capability every back end has. A ttl of zero means the pair
// does not expire.
type Store interface {
	Get(ctx context.Context, key string) (Optional[[]byte], error)
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// BatchWriter is implemented by back ends that can write many pairs in one
// request (the REST bulk endpoint). The Workers binding cannot.
type BatchWriter interface {
	PutMany(ctx context.Context, entries []Entry) error
}

// BatchDeleter is implemented by back ends that can delete many keys in one
// request.
type BatchDeleter interface {
	DeleteMany(ctx context.Context, keys []string) error
}

// Lister is implemented by back ends that can enumerate keys. List returns a
// single page; callers follow the cursor themselves.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// ErrNotSupported is returned when a caller needs a capability the chosen
// back end does not have.
var ErrNotSupported = errors.New("kvstore: operation not supported by this store")

// PutAll writes entries with one batch call when the store supports it and
// one Put per entry otherwise.
func PutAll(ctx context.Context, st Store, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if bw, ok := st.(BatchWriter); ok {
		return bw.PutMany(ctx, entries)
	}
	for _, e := range entries {
		if err := st.Put(ctx, e.Key, e.Value, e.TTL); err != nil {
			return fmt.Errorf("put %q: %w", e.Key, err)
		}
	}
	return nil
}

// DeleteAll removes keys with one batch call when the store supports it and
// one Delete per key otherwise.
func DeleteAll(ctx context.Context, st Store, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if bd, ok := st.(BatchDeleter); ok {
		return bd.DeleteMany(ctx, keys)
	}
	var errs []error
	for _, k := range keys {
		if err := st.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("delete %q: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// CollectKeys pages through prefix until it has seen maxKeys keys or
// maxPages pages, whichever comes first. It reports whether the listing was
// exhausted.
func CollectKeys(ctx context.Context, st Store, prefix string, maxPages, maxKeys int) ([]string, bool, error) {
	l, ok := st.(Lister)
	if !ok {
		return nil, false, ErrNotSupported
	}
	var keys []string
	opts := ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages && len(keys) < maxKeys; page++ {
		p, err := l.List(ctx, opts)
		if err != nil {
			return keys, false, err
		}
		for _, k := range p.Keys {
			keys = append(keys, k.Name)
		}
		if p.Complete {
			return keys, true, nil
		}
		opts.Cursor = p.Cursor
	}
	return keys, false, nil
}
