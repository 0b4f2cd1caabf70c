// Package load defines how a cache asks the source of truth for a value it
// does not have.
package load

import "context"

// Loader fetches the authoritative bytes for key.
type Loader interface {
	Load(ctx context.Context, key string) ([]byte, error)
}

// LoaderFunc adapts a plain function to Loader.
type LoaderFunc func(ctx context.Context, key string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }
