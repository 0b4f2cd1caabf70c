// Package defaultstore is a store installed once by SetDefault and used
// through package-level functions, the way slog and http.DefaultClient
// are; each call runs under a timeout in a closure that sets the result
// the method returns, and generic helpers decode into a record that
// knows its own key.
package defaultstore

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Store is one namespace with a timeout per call.
type Store struct {
	ns      *kv.Namespace
	timeout time.Duration
}

// Open binds the namespace named binding.
func Open(binding string) (*Store, error) {
	ns, err := kv.NewNamespace(binding)
	return &Store{ns: ns, timeout: 2 * time.Second}, err
}

var (
	mu  sync.RWMutex
	std *Store
)

// SetDefault installs s for the package-level functions.
func SetDefault(s *Store) {
	mu.Lock()
	std = s
	mu.Unlock()
}

// Default returns the store SetDefault installed.
func Default() *Store {
	mu.RLock()
	defer mu.RUnlock()
	if std == nil {
		panic("defaultstore: SetDefault was not called")
	}
	return std
}

func (s *Store) do(ctx context.Context, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := ctx.Err(); err != nil {
		return err
	}
	return f()
}

// Get returns the value at key and whether it is there.
func (s *Store) Get(ctx context.Context, key string) (val string, ok bool, err error) {
	err = s.do(ctx, func() error {
		var gerr error
		val, gerr = s.ns.GetString(key, nil)
		return gerr
	})
	if err != nil || val == "<null>" {
		return "", false, err
	}
	return val, true, nil
}

// Load decodes the value at key into out.
func (s *Store) Load(ctx context.Context, key string, out any) (bool, error) {
	raw, ok, err := s.Get(ctx, key)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), out)
}

// PutString writes value at key.
func (s *Store) PutString(ctx context.Context, key, value string) error {
	return s.do(ctx, func() error { return s.ns.PutString(key, value, nil) })
}

// PutJSON encodes v and writes it at key.
func (s *Store) PutJSON(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.PutString(ctx, key, string(raw))
}

// Get calls Default().Get.
func Get(ctx context.Context, key string) (string, bool, error) { return Default().Get(ctx, key) }

// Load calls Default().Load.
func Load(ctx context.Context, key string, out any) (bool, error) {
	return Default().Load(ctx, key, out)
}

var errNoDefault = errors.New("defaultstore: SetDefault was not called")

// current returns the default store, or an error when there is none.
func current() (*Store, error) {
	mu.RLock()
	set := std != nil
	mu.RUnlock()
	if !set {
		return nil, errNoDefault
	}
	return Default(), nil
}

// PutString calls PutString on the default store.
func PutString(ctx context.Context, key, value string) error {
	s, err := current()
	if err != nil {
		return err
	}
	return s.PutString(ctx, key, value)
}

// PutJSON calls Default().PutJSON.
func PutJSON(ctx context.Context, key string, v any) error { return Default().PutJSON(ctx, key, v) }

// Keyed is a record that names its own key.
type Keyed[T any] interface {
	*T
	Key() string
}

// Fill loads the record v names into v.
func Fill[T any, PT Keyed[T]](ctx context.Context, s *Store, v PT) (bool, error) {
	return s.Load(ctx, v.Key(), v)
}

// Save writes v under its own key.
func Save[T any, PT Keyed[T]](ctx context.Context, s *Store, v PT) error {
	return s.PutJSON(ctx, v.Key(), v)
}
