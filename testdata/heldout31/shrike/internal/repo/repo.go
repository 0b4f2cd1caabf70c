// Package repo provides typed repositories over a kvop executor. The key
// prefix of a repository comes from its record type: either the type's own
// Prefix method, or its Go type name.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
)

// Prefixed records name their own key prefix.
type Prefixed interface {
	Prefix() string
}

type settings struct {
	ttl    time.Duration
	prefix string
}

type Option func(*settings)

func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

type Repo[T any] struct {
	exec   kvop.Exec
	prefix string
	ttl    time.Duration
}

// New derives the prefix from T's type name ("Rider" -> "rider").
func New[T any](exec kvop.Exec, opts ...Option) *Repo[T] {
	s := settings{prefix: strings.ToLower(reflect.TypeFor[T]().Name())}
	for _, o := range opts {
		o(&s)
	}
	return &Repo[T]{exec: exec, prefix: s.prefix, ttl: s.ttl}
}

// ForPrefixed takes the prefix from T's Prefix method.
func ForPrefixed[T Prefixed](exec kvop.Exec, opts ...Option) *Repo[T] {
	var zero T
	s := settings{prefix: zero.Prefix()}
	for _, o := range opts {
		o(&s)
	}
	return &Repo[T]{exec: exec, prefix: s.prefix, ttl: s.ttl}
}

func (r *Repo[T]) Key(id string) string { return r.prefix + ":" + id }

func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	res, err := r.exec(ctx, kvop.GetOp(r.Key(id)))
	if err != nil {
		return v, err
	}
	if !res.Found {
		return v, fmt.Errorf("%s %s: %w", r.prefix, id, ports.ErrNotFound)
	}
	if err := json.Unmarshal(res.Value, &v); err != nil {
		return v, fmt.Errorf("%s %s: %w", r.prefix, id, err)
	}
	return v, nil
}

func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, kvop.PutOp(r.Key(id), b, r.ttl))
	return err
}

// Find returns one page of ids under the repository prefix; q.Prefix narrows
// it further.
func (r *Repo[T]) Find(ctx context.Context, q ports.Query) (ports.Page, error) {
	q = q.WithDefaults()
	res, err := r.exec(ctx, kvop.ListOp(r.prefix+":"+q.Prefix, q.After, q.Limit))
	if err != nil {
		return ports.Page{}, err
	}
	ids := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		ids[i] = strings.TrimPrefix(k, r.prefix+":")
	}
	return ports.Page{Keys: ids, Next: res.Cursor, Complete: res.Complete}, nil
}

// ErrSkip tells Update that the mutator made no change.
var ErrSkip = errors.New("repo: no change")

// Update loads id, applies mutate and stores the result.
func (r *Repo[T]) Update(ctx context.Context, id string, mutate func(*T) error) (T, error) {
	v, err := r.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := mutate(&v); err != nil {
		if errors.Is(err, ErrSkip) {
			return v, nil
		}
		return v, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	_, err = r.exec(ctx, kvop.PutOp(r.Key(id), b, r.ttl)) // EXPECT kvrace
	return v, err
}
