// Package kvstore is the backend's adapter for Workers KV. It talks to the
// Cloudflare REST API through cloudflare-go and exposes a small Store that the
// domain packages use. Cross-cutting behaviour (key prefixes, default
// lifetimes, retries, metrics, a local read cache) is added by composing
// layers around the REST store.
package kvstore

import (
	"context"
	"errors"
	"slices"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Entry is one value to write. TTL is in seconds; zero means the key does not
// expire. Expires is an absolute unix timestamp in seconds and is only used
// when TTL is zero.
type Entry struct {
	Key     string
	Value   []byte
	TTL     int
	Expires int64
}

// Page is one page of a key listing.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// Store is the subset of KV the services need.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, e Entry) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// Layer decorates a Store.
type Layer func(Store) Store

// Compose wraps base in layers. The first layer is the outermost one, so
// Compose(s, A, B) behaves like A(B(s)).
func Compose(base Store, layers ...Layer) Store {
	s := base
	for _, layer := range slices.Backward(layers) {
		if layer == nil {
			continue
		}
		s = layer(s)
	}
	return s
}
