// Package repo provides generic JSON repositories on top of an ops.Exec.
package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ops"
)

// Record is a stored type that names its own key prefix and id.
type Record interface {
	Prefix() string
	KeyID() string
}

type settings struct{ ttl, cacheFor time.Duration }

type Option func(*settings)

// WithTTL makes every write expire after d.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// WithReadCache asks the edge to cache reads for d.
func WithReadCache(d time.Duration) Option { return func(s *settings) { s.cacheFor = d } }

// Repo stores records of T under T's Prefix().
type Repo[T Record] struct {
	exec ops.Exec
	cfg  settings
}

func New[T Record](exec ops.Exec, opts ...Option) *Repo[T] {
	r := &Repo[T]{exec: exec}
	for _, o := range opts {
		o(&r.cfg)
	}
	return r
}

func (r *Repo[T]) key(id string) string {
	var zero T
	return zero.Prefix() + ":" + id
}

// Get loads the record with the given id, or domain.ErrNotFound.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	op := ops.Get(r.key(id))
	op.CacheFor = r.cfg.cacheFor
	res, err := r.exec(ctx, op)
	if err != nil {
		return v, err
	}
	if !res.Found {
		return v, fmt.Errorf("%s %s: %w", v.Prefix(), id, domain.ErrNotFound)
	}
	if err := json.Unmarshal(res.Value, &v); err != nil {
		return v, fmt.Errorf("%s %s: %w", v.Prefix(), id, err)
	}
	return v, nil
}

func (r *Repo[T]) Put(ctx context.Context, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.exec.Do(ctx, ops.Put(r.key(v.KeyID()), b, r.cfg.ttl))
}

// Update loads the record, lets f change it and stores it again.
func (r *Repo[T]) Update(ctx context.Context, id string, f func(*T) error) error {
	v, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := f(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.exec.Do(ctx, ops.Put(r.key(id), b, r.cfg.ttl)) // EXPECT kvrace
}

// Named stores values of any T under a prefix taken from T's type name, for
// types that do not carry their own key (settings blobs, projections).
type Named[T any] struct {
	exec   ops.Exec
	prefix string
	cfg    settings
}

// NewNamed returns a repository keyed "<lower type name>:<id>".
func NewNamed[T any](exec ops.Exec, opts ...Option) *Named[T] {
	n := &Named[T]{exec: exec, prefix: strings.ToLower(reflect.TypeFor[T]().Name())}
	for _, o := range opts {
		o(&n.cfg)
	}
	return n
}

func (n *Named[T]) Prefix() string { return n.prefix }

func (n *Named[T]) Save(ctx context.Context, id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.exec.Do(ctx, ops.Put(n.prefix+":"+id, b, n.cfg.ttl))
}

// Load reads the value under id; found is false when it is absent.
func (n *Named[T]) Load(ctx context.Context, id string) (v T, found bool, err error) {
	op := ops.Get(n.prefix + ":" + id)
	op.CacheFor = n.cfg.cacheFor
	res, err := n.exec(ctx, op)
	if err != nil || !res.Found {
		return v, false, err
	}
	if err := json.Unmarshal(res.Value, &v); err != nil {
		return v, false, err
	}
	return v, true, nil
}
