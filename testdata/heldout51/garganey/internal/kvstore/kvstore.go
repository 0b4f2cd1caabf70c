// Package kvstore is the storage adapter shared by the edge Worker and the
// backend services. Concrete stores are opened from a DSN such as
// "kv://<namespace>" or "mem://" through a Registry, and optional
// capabilities (batch writes, listing) are discovered with type assertions.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Optional holds a value that may be absent, so that "missing" is never
// confused with "failed".
type Optional[T any] struct {
	Value T
	Found bool
}

// Some and None build Optionals; Ok and Fail build Results.
func Some[T any](v T) Optional[T] { return Optional[T]{Value: v, Found: true} }
func None[T any]() Optional[T]    { return Optional[T]{} }

// Result carries either a value or an error.
type Result[T any] struct {
	Value T
	Err   error
}

func Ok[T any](v T) Result[T]         { return Result[T]{Value: v} }
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// Unwrap returns the pair form for callers that prefer it.
func (r Result[T]) Unwrap() (T, error) { return r.Value, r.Err }

// Store is the minimal key-value contract every backend implements.
// A ttl of zero means the entry never expires.
type Store interface {
	Get(ctx context.Context, key string) Result[Optional[[]byte]]
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// Entry is one pair of a batch write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// BatchWriter is implemented by stores that can write many pairs in one
// call (the REST bulk endpoint; the Worker binding has none).
type BatchWriter interface {
	PutBatch(ctx context.Context, entries []Entry) error
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Lister is implemented by stores that can enumerate keys by prefix.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) Result[Page]
}

// ErrNoList is returned by helpers that need a Lister when the store has none.
var ErrNoList = errors.New("kvstore: store cannot list keys")

// PutAll writes entries with one bulk call when the store supports it and
// one call per entry otherwise.
func PutAll(ctx context.Context, st Store, entries []Entry) error {
	if bw, ok := st.(BatchWriter); ok {
		return bw.PutBatch(ctx, entries)
	}
	for _, e := range entries {
		if err := st.Put(ctx, e.Key, e.Value, e.TTL); err != nil {
			return fmt.Errorf("put %s: %w", e.Key, err)
		}
	}
	return nil
}

// PutExpiring writes value with a ttl that is never shorter than the one
// minute KV accepts. Callers pass whatever window they think in.
func PutExpiring(ctx context.Context, st Store, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return st.Put(ctx, key, value, ttl)
}

// Constructor opens a store for a parsed DSN.
type Constructor func(u *url.URL) (Store, error)

// Registry maps DSN schemes to constructors; each binary fills its own.
type Registry struct {
	mu    sync.RWMutex
	ctors map[string]Constructor
}

func NewRegistry() *Registry {
	return &Registry{ctors: make(map[string]Constructor)}
}

func (r *Registry) Register(scheme string, c Constructor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ctors[scheme] = c
}

// Open parses dsn and calls the constructor registered for its scheme.
func (r *Registry) Open(dsn string) (Store, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("kvstore: bad dsn %q: %w", dsn, err)
	}
	r.mu.RLock()
	c, ok := r.ctors[u.Scheme]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("kvstore: no backend for scheme %q", u.Scheme)
	}
	return c(u)
}
