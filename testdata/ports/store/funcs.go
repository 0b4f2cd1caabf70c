package store

import (
	"context"
	"time"
)

// ReadFunc and WriteFunc are the halves of a Store that code which only
// reads, or only writes, is given.
type (
	ReadFunc  func(ctx context.Context, key string) ([]byte, error)
	WriteFunc func(ctx context.Context, key string, v []byte) error
)

// Reads adapts s into a ReadFunc.
func Reads(s Store) ReadFunc {
	return func(ctx context.Context, key string) ([]byte, error) { return s.Get(ctx, key) }
}

// Writes binds s and a lifetime into a WriteFunc.
func Writes(s Store, ttl time.Duration) WriteFunc {
	return func(ctx context.Context, key string, v []byte) error { return s.Set(ctx, key, v, ttl) }
}

// GetterFunc and SetterFunc let ordinary functions serve as the port's
// halves, as http.HandlerFunc does for a handler.
type (
	GetterFunc func(ctx context.Context, key string) ([]byte, error)
	SetterFunc func(ctx context.Context, key string, v []byte, ttl time.Duration) error
)

func (f GetterFunc) Get(ctx context.Context, key string) ([]byte, error) { return f(ctx, key) }

func (f SetterFunc) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	return f(ctx, key, v, ttl)
}
