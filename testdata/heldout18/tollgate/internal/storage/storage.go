// Package storage defines the key-value port the gateway is written against,
// plus the small set of helpers every adapter and caller shares.
package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("storage: key not found")

// ErrReadOnly is returned by writes while the store is frozen.
var ErrReadOnly = errors.New("storage: store is read-only")

// PutOptions controls expiry and metadata of a write.
type PutOptions struct {
	// ExpirationTTL is relative, in seconds from now. Zero means no expiry.
	ExpirationTTL int64
	// Expiration is absolute, in seconds since the Unix epoch.
	Expiration int64
	// Metadata is stored next to the value and returned by List.
	Metadata map[string]any
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration int64
	Metadata   map[string]any
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Page is one page of listed keys.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Store is the port every domain package depends on.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Getter is the read half of Store.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// GetterFunc lets an ordinary function serve as a Getter.
type GetterFunc func(ctx context.Context, key string) ([]byte, error)

// Get calls f(ctx, key).
func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// PutterFunc lets an ordinary function serve as the write half of Store.
type PutterFunc func(ctx context.Context, key string, value []byte, opts PutOptions) error

// Put calls f(ctx, key, value, opts).
func (f PutterFunc) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return f(ctx, key, value, opts)
}

// Funcs assembles a Store out of individual functions.
type Funcs struct {
	GetFn    GetterFunc
	PutFn    PutterFunc
	DeleteFn func(ctx context.Context, key string) error
	ListFn   func(ctx context.Context, opts ListOptions) (Page, error)
}

func (f Funcs) Get(ctx context.Context, key string) ([]byte, error) { return f.GetFn(ctx, key) }

func (f Funcs) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return f.PutFn(ctx, key, value, opts)
}

func (f Funcs) Delete(ctx context.Context, key string) error { return f.DeleteFn(ctx, key) }

func (f Funcs) List(ctx context.Context, opts ListOptions) (Page, error) { return f.ListFn(ctx, opts) }

// Middleware decorates a Store.
type Middleware func(Store) Store

// Chain wraps st so that the first middleware is the outermost.
func Chain(st Store, mws ...Middleware) Store {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			st = mws[i](st)
		}
	}
	return st
}

// IsNotFound reports whether err means the key was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// MinTTL is the shortest expiry the backing store accepts.
const MinTTL = time.Minute

// PutFor writes value with a relative expiry, raising short lifetimes to the
// store's minimum so callers can pass whatever their own policy computes.
func PutFor(ctx context.Context, st Store, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return st.Put(ctx, key, value, PutOptions{ExpirationTTL: int64(ttl / time.Second)})
}

// ---------------------------------------------------------------------------
// Driver registry.

// DriverConfig is handed to a driver factory by Open.
type DriverConfig struct {
	AccountID   string
	NamespaceID string
	APIToken    string
	Options     map[string]string
}

// Factory constructs a Store for a driver.
type Factory func(cfg DriverConfig) (Store, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Factory{}
)

// Register makes a driver available under name. It panics on duplicates, like
// database/sql.
func Register(name string, f Factory) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if f == nil {
		panic("storage: Register factory is nil")
	}
	if _, dup := drivers[name]; dup {
		panic("storage: Register called twice for driver " + name)
	}
	drivers[name] = f
}

// Open constructs the named driver.
func Open(name string, cfg DriverConfig) (Store, error) {
	driversMu.RLock()
	f, ok := drivers[name]
	driversMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("storage: unknown driver %q (have %v)", name, Drivers())
	}
	return f(cfg)
}

// Drivers lists the registered driver names in order.
func Drivers() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	names := make([]string, 0, len(drivers))
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
