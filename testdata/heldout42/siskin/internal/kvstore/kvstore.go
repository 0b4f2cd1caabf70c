// Package kvstore is the backend's JSON view of the shared KV namespace.
//
// main installs a Store with SetDefault; the rest of the backend uses the
// top-level functions, the same way log/slog is used.
package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"

	"github.com/siskinfm/siskin/internal/cfkv"
)

// Store encodes values as JSON under an optional key prefix.
type Store struct {
	c      *cfkv.Client
	prefix string
}

// New returns a Store over c.
func New(c *cfkv.Client, prefix string) *Store {
	return &Store{c: c, prefix: prefix}
}

var (
	mu  sync.RWMutex
	def *Store
)

// SetDefault makes s the store used by the package-level functions.
func SetDefault(s *Store) {
	mu.Lock()
	def = s
	mu.Unlock()
}

// Default returns the store installed by SetDefault.
func Default() *Store {
	mu.RLock()
	defer mu.RUnlock()
	if def == nil {
		panic("kvstore: SetDefault was not called")
	}
	return def
}

// Load decodes the value under key into dst and reports whether it existed.
func Load(ctx context.Context, key string, dst any) (bool, error) {
	return Default().Load(ctx, key, dst)
}

// Put encodes v and stores it under key for ttl (zero: no expiry).
func Put(ctx context.Context, key string, v any, ttl time.Duration) error {
	return Default().Put(ctx, key, v, ttl)
}

// Delete removes key.
func Delete(ctx context.Context, key string) error {
	return Default().Delete(ctx, key)
}

// Load decodes the value under key into dst.
func (s *Store) Load(ctx context.Context, key string, dst any) (bool, error) {
	raw, err := s.c.Get(ctx, s.prefix+key)
	if err != nil {
		if cfkv.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return true, fmt.Errorf("kvstore: decode %q: %w", key, err)
	}
	return true, nil
}

// Put encodes v and stores it under key.
func (s *Store) Put(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %q: %w", key, err)
	}
	p := s.c.UpdateParams(b)
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	return s.c.Update(ctx, s.prefix+key, p)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.c.Delete(ctx, s.prefix+key)
}
