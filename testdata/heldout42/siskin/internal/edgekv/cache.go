//go:build js && wasm

package edgekv

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Loader produces the value for a key from the origin.
type Loader interface {
	Load(ctx context.Context, id string) ([]byte, error)
}

// LoaderFunc adapts a function to Loader.
type LoaderFunc func(ctx context.Context, id string) ([]byte, error)

// Load calls f.
func (f LoaderFunc) Load(ctx context.Context, id string) ([]byte, error) { return f(ctx, id) }

// ReadThrough serves values from KV and fills misses from Origin.
type ReadThrough struct {
	Base
	Origin Loader
	// CacheTTL is how long an edge location may serve a value it has read
	// without asking KV again, in seconds. Zero keeps the runtime default.
	CacheTTL int
}

// Get returns the value of id.
func (c ReadThrough) Get(ctx context.Context, id string) ([]byte, error) {
	key := c.Key(id)
	var opts *kv.GetOptions
	if c.CacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: c.CacheTTL}
	}
	var raw string
	err := call(ctx, func() error {
		var err error
		raw, err = c.NS.GetString(key, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	if raw != Missing {
		return []byte(raw), nil
	}
	b, err := c.Origin.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	life := max(c.Life, time.Minute)
	if err := call(ctx, func() error { return c.NS.PutString(key, string(b), putOptions(life)) }); err != nil {
		return b, err
	}
	return b, nil
}

// Invalidate drops the cached value of id.
func (c ReadThrough) Invalidate(ctx context.Context, id string) error {
	return c.Delete(ctx, c.Key(id))
}

// Save stores v under the base prefix plus v's own key.
func Save[T any, PT interface {
	*T
	Key() string
}](ctx context.Context, b Base, v PT) error {
	return b.PutJSON(ctx, b.Prefix+v.Key(), v)
}

// Load fills v, whose key fields are already set, from KV.
func Load[T any, PT interface {
	*T
	Key() string
}](ctx context.Context, b Base, v PT) (bool, error) {
	return b.GetJSON(ctx, b.Prefix+v.Key(), v)
}
