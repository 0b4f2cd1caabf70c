package kvstore

import (
	"context"
	"time"
)

// Loader fetches raw bytes for a key.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// Saver stores raw bytes for a key.
type Saver interface {
	Save(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// LoaderFunc adapts a function to Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

// SaverFunc adapts a function to Saver.
type SaverFunc func(ctx context.Context, key string, value []byte, ttl time.Duration) error

// Save calls f.
func (f SaverFunc) Save(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return f(ctx, key, value, ttl)
}

// Getter and Setter are the package-level functions as adapters; they read
// and write through the default store.
var (
	Getter = LoaderFunc(Get)
	Setter = SaverFunc(Put)
)
