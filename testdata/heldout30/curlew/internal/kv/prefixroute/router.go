// Package prefixroute sends each key to a backend chosen by its prefix, so
// that scratch data can stay in memory while durable data goes to Workers KV.
package prefixroute

import (
	"context"
	"strings"

	"example.com/curlew/internal/kv"
)

type route struct {
	prefix string
	store  kv.Store
}

// Router implements kv.Store over several backends.
type Router struct {
	routes   []route
	fallback kv.Store
}

// Option configures a Router.
type Option func(*Router)

// Route sends keys that start with prefix to s. Longer prefixes win.
func Route(prefix string, s kv.Store) Option {
	return func(r *Router) { r.routes = append(r.routes, route{prefix: prefix, store: s}) }
}

// New returns a router that uses fallback for keys no route matches.
func New(fallback kv.Store, opts ...Option) *Router {
	r := &Router{fallback: fallback}
	for _, o := range opts {
		o(r)
	}
	return r
}

var _ kv.Store = (*Router)(nil)

func (r *Router) pick(key string) kv.Store {
	best, n := r.fallback, -1
	for _, rt := range r.routes {
		if strings.HasPrefix(key, rt.prefix) && len(rt.prefix) > n {
			best, n = rt.store, len(rt.prefix)
		}
	}
	return best
}

func (r *Router) Get(ctx context.Context, key string) ([]byte, error) {
	return r.pick(key).Get(ctx, key)
}

func (r *Router) Put(ctx context.Context, key string, value []byte, opts ...kv.PutOption) error {
	return r.pick(key).Put(ctx, key, value, opts...)
}

func (r *Router) Delete(ctx context.Context, key string) error {
	return r.pick(key).Delete(ctx, key)
}

// List implements kv.Store. A listing is routed by its prefix, so a prefix
// must not straddle two backends.
func (r *Router) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	return r.pick(p.Prefix).List(ctx, p)
}
