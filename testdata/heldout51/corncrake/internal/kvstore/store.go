// Package kvstore is the portal's narrow view of a key-value namespace. The
// production backends are Cloudflare Workers KV (through either SDK); mem:// is
// used for local runs and the demo stack.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"
)

// MinTTL is the shortest relative expiry Workers KV accepts.
const MinTTL = 60 * time.Second

// MaxListLimit is the largest page Workers KV returns.
const MaxListLimit = 1000

// Optional is a value that may be absent.
type Optional[T any] struct {
	Value T
	Found bool
}

// Some wraps a present value.
func Some[T any](v T) Optional[T] { return Optional[T]{Value: v, Found: true} }

// None is the absent value.
func None[T any]() Optional[T] { return Optional[T]{} }

// OrElse returns the value if present and def otherwise.
func (o Optional[T]) OrElse(def T) T {
	if o.Found {
		return o.Value
	}
	return def
}

// Result carries either a value or the error that prevented producing it.
type Result[T any] struct {
	Val T
	Err error
}

// OK wraps a successful value.
func OK[T any](v T) Result[T] { return Result[T]{Val: v} }

// Fail wraps an error.
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration // relative expiry, zero for none
	ExpireAt time.Time     // absolute expiry, zero for none
	Metadata any           // JSON-serialisable, small
}

// Entry is one pair of a batch write.
type Entry struct {
	Key   string
	Value []byte
	Opts  PutOptions
}

// KeyInfo describes a listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   any
}

// Page is one page of a listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Store is the capability every backend has.
type Store interface {
	Get(ctx context.Context, key string) Result[Optional[[]byte]]
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
}

// BatchWriter is implemented by backends with a bulk write endpoint.
type BatchWriter interface {
	PutBatch(ctx context.Context, entries []Entry) error
}

// BatchDeleter is implemented by backends with a bulk delete endpoint.
type BatchDeleter interface {
	DeleteBatch(ctx context.Context, keys []string) error
}

// BatchGetter is implemented by backends that can read several keys at once.
type BatchGetter interface {
	GetBatch(ctx context.Context, keys []string) Result[map[string][]byte]
}

// Lister is implemented by backends that can enumerate keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) Result[Page]
}

// Constructor builds a Store from a parsed DSN such as kv://<namespace-id>.
type Constructor func(ctx context.Context, dsn *url.URL) (Store, error)

// Registry maps DSN schemes to constructors.
type Registry struct {
	mu    sync.RWMutex
	ctors map[string]Constructor
}

// NewRegistry returns a registry that already knows mem://.
func NewRegistry() *Registry {
	r := &Registry{ctors: map[string]Constructor{}}
	r.Register("mem", func(context.Context, *url.URL) (Store, error) { return NewMemory(), nil })
	return r
}

// Register adds or replaces the constructor for scheme.
func (r *Registry) Register(scheme string, c Constructor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ctors[scheme] = c
}

// Schemes lists the registered schemes, sorted.
func (r *Registry) Schemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.ctors))
	for s := range r.ctors {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// ErrUnknownScheme is returned by Open for an unregistered scheme.
var ErrUnknownScheme = errors.New("kvstore: unknown scheme")

// Open parses dsn and builds the store registered for its scheme.
func (r *Registry) Open(ctx context.Context, dsn string) (Store, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("kvstore: parse %q: %w", dsn, err)
	}
	r.mu.RLock()
	c, ok := r.ctors[u.Scheme]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknownScheme, u.Scheme, r.Schemes())
	}
	return c(ctx, u)
}

// PutFor writes value with a relative expiry of at least MinTTL, so callers can
// pass whatever window their feature needs without knowing KV's floor.
func PutFor(ctx context.Context, st Store, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return st.Put(ctx, key, value, PutOptions{TTL: ttl})
}

// WriteAll writes entries with the backend's bulk endpoint when it has one and
// one key at a time otherwise.
func WriteAll(ctx context.Context, st Store, entries []Entry) error {
	if bw, ok := st.(BatchWriter); ok {
		return bw.PutBatch(ctx, entries)
	}
	for _, e := range entries {
		if err := st.Put(ctx, e.Key, e.Value, e.Opts); err != nil {
			return fmt.Errorf("kvstore: put %s: %w", e.Key, err)
		}
	}
	return nil
}
