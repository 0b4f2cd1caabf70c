// Package repo is a generic JSON document repository over the storage
// port. Documents carry a version number used for optimistic checks.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/otter/internal/kvport"
)

// ErrConflict is returned by Update when the stored version is not the one the caller read.
var ErrConflict = errors.New("repo: version conflict")

var ErrNotFound = errors.New("repo: not found")

type envelope[T any] struct {
	Version int64 `json:"v"`
	Data    T     `json:"d"`
}

// Doc is a loaded document with its version.
type Doc[T any] struct {
	Version int64
	Data    T
}

// Repo stores documents of type T under prefix.
type Repo[T any] struct {
	store  kvport.Store
	prefix string
}

func New[T any](store kvport.Store, prefix string) *Repo[T] {
	return &Repo[T]{store: store, prefix: prefix}
}

func (r *Repo[T]) key(id string) string { return r.prefix + id }

func (r *Repo[T]) Load(ctx context.Context, id string) (Doc[T], error) {
	raw, err := r.store.Get(ctx, r.key(id))
	if kvport.IsNotFound(err) {
		return Doc[T]{}, ErrNotFound
	}
	if err != nil {
		return Doc[T]{}, err
	}
	var env envelope[T]
	if err := json.Unmarshal(raw, &env); err != nil {
		return Doc[T]{}, fmt.Errorf("repo %s%s: %w", r.prefix, id, err)
	}
	return Doc[T]{Version: env.Version, Data: env.Data}, nil
}

// Save writes v as version 1 of a new document, or replaces whatever is there.
func (r *Repo[T]) Save(ctx context.Context, id string, v T, ttl time.Duration) error {
	raw, err := json.Marshal(envelope[T]{Version: 1, Data: v})
	if err != nil {
		return err
	}
	var opts *kvport.PutOpts
	if ttl != 0 {
		opts = &kvport.PutOpts{TTL: ttl}
	}
	return r.store.Put(ctx, r.key(id), raw, opts)
}

// Update loads the document, checks that it is still at version
// expected, applies fn and writes it back as the next version.
func (r *Repo[T]) Update(ctx context.Context, id string, expected int64, fn func(*T) error) (Doc[T], error) {
	doc, err := r.Load(ctx, id)
	if err != nil {
		return Doc[T]{}, err
	}
	if doc.Version != expected {
		return Doc[T]{}, fmt.Errorf("%w: have %d, want %d", ErrConflict, doc.Version, expected)
	}
	if err := fn(&doc.Data); err != nil {
		return Doc[T]{}, err
	}
	doc.Version++
	raw, err := json.Marshal(envelope[T]{Version: doc.Version, Data: doc.Data})
	if err != nil {
		return Doc[T]{}, err
	}
	if err := r.store.Put(ctx, r.key(id), raw, nil); err != nil { // EXPECT kvrace
		return Doc[T]{}, err
	}
	return doc, nil
}
