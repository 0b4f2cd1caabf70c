// Package repo is a generic JSON repository over a ports.Handle.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/heron/internal/ports"
)

// maxBulkGet is the number of keys one bulk read may ask for.
const maxBulkGet = 100

type settings struct {
	ttl      time.Duration
	pageSize int
}

// listPage is the page size used by Scan.
const listPage = 500

// Option configures a Repo.
type Option func(*settings)

// WithTTL sets the lifetime of records written by Put.
func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

// Repo stores values of type T as JSON, one per key.
type Repo[T any] struct {
	h   ports.Handle
	cfg settings
}

// New returns a Repo over h.
func New[T any](h ports.Handle, opts ...Option) *Repo[T] {
	cfg := settings{pageSize: listPage}
	for _, o := range opts {
		o(&cfg)
	}
	return &Repo[T]{h: h, cfg: cfg}
}

// Get reads and decodes id. It returns ports.ErrNotFound for a missing key.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, error) {
	var v T
	b, err := r.h.Get(ctx, id)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("repo %s: decode %q: %w", r.h.Name(), id, err)
	}
	return v, nil
}

// Put encodes and writes v under id with the repo's TTL.
func (r *Repo[T]) Put(ctx context.Context, id string, v T) error {
	return r.PutWith(ctx, id, v, nil)
}

// PutWith writes v with explicit options. A zero TTL in opts falls back to
// the repo's TTL.
func (r *Repo[T]) PutWith(ctx context.Context, id string, v T, opts *ports.PutOpts) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("repo %s: encode %q: %w", r.h.Name(), id, err)
	}
	o := ports.PutOpts{TTL: r.cfg.ttl}
	if opts != nil {
		o.Metadata = opts.Metadata
		o.ExpireAt = opts.ExpireAt
		if opts.TTL != 0 {
			o.TTL = opts.TTL
		}
	}
	return r.h.Put(ctx, id, b, &o)
}

// Delete removes id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.h.Delete(ctx, id)
}

// GetOrLoad returns the cached value of id, or loads it from the source of
// truth and caches it.
func (r *Repo[T]) GetOrLoad(ctx context.Context, id string, load func(context.Context, string) (T, error)) (T, error) {
	v, err := r.Get(ctx, id)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ports.ErrNotFound) {
		return v, err
	}
	v, err = load(ctx, id)
	if err != nil {
		return v, err
	}
	if err := r.Put(ctx, id, v); err != nil {
		return v, err
	}
	return v, nil
}

// GetMany reads ids in bulk batches and decodes the ones that exist.
func (r *Repo[T]) GetMany(ctx context.Context, ids []string) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	for batch := range slices.Chunk(ids, maxBulkGet) {
		raw, err := r.h.BulkGet(ctx, batch)
		if err != nil {
			return nil, err
		}
		for id, b := range raw {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, fmt.Errorf("repo %s: decode %q: %w", r.h.Name(), id, err)
			}
			out[id] = v
		}
	}
	return out, nil
}

// ErrBudget is returned by Scan when the page budget ran out first.
var ErrBudget = errors.New("repo: scan page budget exhausted")

// Scan calls fn for each id under prefix, reading at most maxPages pages.
func (r *Repo[T]) Scan(ctx context.Context, prefix string, maxPages int, fn func(ports.Key) error) error {
	req := ports.ListReq{Prefix: prefix, Limit: r.cfg.pageSize}
	for range maxPages {
		p, err := r.h.List(ctx, req)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Complete {
			return nil
		}
		req.Cursor = p.Cursor
	}
	return ErrBudget
}
