package kvstore

import (
	"context"
	"fmt"
	"net/url"
	"sync"
)

// Opener builds a Store from a parsed DSN such as kv://PERMITS or mem://dev.
type Opener func(ctx context.Context, u *url.URL) (Store, error)

// Registry maps DSN schemes to the constructors that serve them. Each binary
// registers the back ends it links in at start-up.
type Registry struct {
	mu      sync.RWMutex
	openers map[string]Opener
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{openers: make(map[string]Opener)}
}

// Register adds or replaces the opener for scheme.
func (r *Registry) Register(scheme string, o Opener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.openers[scheme] = o
}

// Open parses dsn and hands it to the opener registered for its scheme.
func (r *Registry) Open(ctx context.Context, dsn string) (Store, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("kvstore: parse %q: %w", dsn, err)
	}
	r.mu.RLock()
	o, ok := r.openers[u.Scheme]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("kvstore: no store registered for scheme %q", u.Scheme)
	}
	return o(ctx, u)
}

// MustOpen is Open for start-up code.
func (r *Registry) MustOpen(ctx context.Context, dsn string) Store {
	st, err := r.Open(ctx, dsn)
	if err != nil {
		panic(err)
	}
	return st
}
