// Package storage defines the key-value port used by the cobalt services and
// a registry of drivers that implement it.
package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Errors returned by every driver.
var (
	ErrNotFound     = errors.New("storage: key not found")
	ErrUnknownStore = errors.New("storage: unknown driver")
)

// PutOptions controls how a value is written.
type PutOptions struct {
	// TTL expires the value after the given duration. Zero means no TTL.
	TTL time.Duration
	// ExpireAt expires the value at an absolute time. Ignored when TTL is set.
	ExpireAt time.Time
	// Metadata is stored next to the value and returned by List.
	Metadata map[string]any
}

// ListOptions selects one page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// Entry is one listed key.
type Entry struct {
	Key       string
	ExpiresAt time.Time
	Metadata  map[string]any
}

// Page is one page of a listing.
type Page struct {
	Entries  []Entry
	Cursor   string
	Complete bool
}

// Getter reads one value. A missing key yields ErrNotFound.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter writes one value.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
}

// Deleter removes one key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister lists one page of keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Store is the full port.
type Store interface {
	Getter
	Putter
	Deleter
	Lister
}

// GetterFunc adapts a function to Getter.
type GetterFunc func(ctx context.Context, key string) ([]byte, error)

// Get calls f.
func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// PutterFunc adapts a function to Putter.
type PutterFunc func(ctx context.Context, key string, value []byte, opts PutOptions) error

// Put calls f.
func (f PutterFunc) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	return f(ctx, key, value, opts)
}

// DeleterFunc adapts a function to Deleter.
type DeleterFunc func(ctx context.Context, key string) error

// Delete calls f.
func (f DeleterFunc) Delete(ctx context.Context, key string) error { return f(ctx, key) }

// ListerFunc adapts a function to Lister.
type ListerFunc func(ctx context.Context, opts ListOptions) (Page, error)

// List calls f.
func (f ListerFunc) List(ctx context.Context, opts ListOptions) (Page, error) { return f(ctx, opts) }

// Funcs assembles a Store from four functions. Middleware builds on it.
type Funcs struct {
	GetterFunc
	PutterFunc
	DeleterFunc
	ListerFunc
}

var _ Store = Funcs{}

// DriverConfig is what a driver needs to open a store.
type DriverConfig struct {
	Driver      string
	APIToken    string
	AccountID   string
	NamespaceID string
	BaseURL     string
}

// Factory opens a store from configuration.
type Factory func(ctx context.Context, cfg DriverConfig) (Store, error)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Factory{}
)

// Register makes a driver available by name. It panics on duplicates, as
// database/sql does.
func Register(name string, f Factory) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if _, dup := drivers[name]; dup {
		panic("storage: Register called twice for driver " + name)
	}
	drivers[name] = f
}

// Drivers lists the registered driver names.
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

// Open opens the driver named in cfg.
func Open(ctx context.Context, cfg DriverConfig) (Store, error) {
	driversMu.RLock()
	f, ok := drivers[cfg.Driver]
	driversMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknownStore, cfg.Driver, Drivers())
	}
	return f(ctx, cfg)
}
