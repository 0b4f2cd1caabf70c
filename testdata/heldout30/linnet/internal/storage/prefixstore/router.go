// Package prefixstore routes each key to a backend chosen by its prefix, so
// one storage.Store can send durable data to KV and scratch data to memory.
package prefixstore

import (
	"context"
	"sort"
	"strings"

	"example.com/linnet/internal/storage"
)

type route struct {
	prefix string
	store  storage.Store
}

// Router implements storage.Store by delegating on key prefix. The longest
// matching prefix wins; keys that match nothing go to the fallback.
type Router struct {
	routes   []route
	fallback storage.Store
}

// Option adds a route.
type Option func(*Router)

// Route sends keys that start with prefix to s.
func Route(prefix string, s storage.Store) Option {
	return func(r *Router) { r.routes = append(r.routes, route{prefix: prefix, store: s}) }
}

// New builds a Router. fallback must not be nil.
func New(fallback storage.Store, opts ...Option) *Router {
	r := &Router{fallback: fallback}
	for _, o := range opts {
		o(r)
	}
	sort.SliceStable(r.routes, func(i, j int) bool { return len(r.routes[i].prefix) > len(r.routes[j].prefix) })
	return r
}

var _ storage.Store = (*Router)(nil)

func (r *Router) pick(key string) storage.Store {
	for _, rt := range r.routes {
		if strings.HasPrefix(key, rt.prefix) {
			return rt.store
		}
	}
	return r.fallback
}

func (r *Router) Get(ctx context.Context, key string) ([]byte, error) {
	return r.pick(key).Get(ctx, key)
}

func (r *Router) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	return r.pick(key).Put(ctx, key, value, opts...)
}

func (r *Router) Delete(ctx context.Context, key string) error {
	return r.pick(key).Delete(ctx, key)
}

// List is routed by the listing prefix; a prefix that spans several routes
// (for example the empty prefix) is served by the fallback only.
func (r *Router) List(ctx context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	return r.pick(opts.Prefix).List(ctx, opts)
}
