//go:build js && wasm

// Package kvctx carries the request's KV stores in its context. The Worker's
// entry point attaches them once per request or scheduled event; domain code
// takes them back out wherever it needs them.
package kvctx

import (
	"context"

	"bittern/internal/edgekv"
)

type key int

const (
	mainKey key = iota
	cacheKey
)

// With attaches the main store (binding BITTERN_KV).
func With(ctx context.Context, s edgekv.KV) context.Context {
	return context.WithValue(ctx, mainKey, s)
}

// From returns the main store. It panics when the entry point forgot to
// attach one, a wiring error no request can recover from.
func From(ctx context.Context) edgekv.KV {
	s, ok := ctx.Value(mainKey).(edgekv.KV)
	if !ok {
		panic("kvctx: no KV store in context")
	}
	return s
}

// WithCache attaches the feed cache store (binding FEED_CACHE).
func WithCache(ctx context.Context, s edgekv.KV) context.Context {
	return context.WithValue(ctx, cacheKey, s)
}

// Cache returns the feed cache store.
func Cache(ctx context.Context) edgekv.KV {
	s, ok := ctx.Value(cacheKey).(edgekv.KV)
	if !ok {
		panic("kvctx: no cache store in context")
	}
	return s
}
