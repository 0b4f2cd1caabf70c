package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GetJSON loads key and decodes it into a T.
func GetJSON[T any](ctx context.Context, r Store, key string) (T, error) {
	var v T
	raw, err := r.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v and writes it under key.
func PutJSON[T any](ctx context.Context, w Store, key string, v T, opts ...PutOption) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return w.Put(ctx, key, raw, opts...)
}

// Versioned wraps a stored document with a monotonically increasing version
// so readers can tell which revision they are looking at.
type Versioned[T any] struct {
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Data      T         `json:"data"`
}

// Repo is a typed, prefix-scoped view over a Store.
type Repo[T any] struct {
	store  Store
	prefix string
	opts   []PutOption
	// Meta, when set, derives list-visible metadata from a document.
	Meta func(T) map[string]any
	now  func() time.Time
}

// NewRepo returns a repository whose keys are prefix+id. opts are applied to
// every write.
func NewRepo[T any](s Store, prefix string, opts ...PutOption) *Repo[T] {
	return &Repo[T]{store: s, prefix: prefix, opts: opts, now: time.Now}
}

// Key returns the storage key for id.
func (r *Repo[T]) Key(id string) string { return r.prefix + id }

// Load fetches the current revision of id.
func (r *Repo[T]) Load(ctx context.Context, id string) (Versioned[T], error) {
	return GetJSON[Versioned[T]](ctx, r.store, r.Key(id))
}

// Save writes v as the first revision of id, replacing whatever was there.
func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	doc := Versioned[T]{Version: 1, UpdatedAt: r.now().UTC(), Data: v}
	return PutJSON(ctx, r.store, r.Key(id), doc, r.writeOpts(v)...)
}

// Update loads id, applies fn and writes the result as the next revision.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (Versioned[T], error) {
	cur, err := r.Load(ctx, id)
	if err != nil {
		return cur, err
	}
	if err := fn(&cur.Data); err != nil {
		return cur, err
	}
	cur.Version++
	cur.UpdatedAt = r.now().UTC()
	if err := PutJSON(ctx, r.store, r.Key(id), cur, r.writeOpts(cur.Data)...); err != nil { // EXPECT kvrace|kvcounter
		return cur, err
	}
	return cur, nil
}

func (r *Repo[T]) writeOpts(v T) []PutOption {
	opts := append([]PutOption(nil), r.opts...)
	if r.Meta != nil {
		opts = append(opts, WithMetadata(r.Meta(v)))
	}
	return opts
}

// Incr adds delta to the decimal integer stored at key and returns the new
// value. A missing key counts as zero.
func Incr(ctx context.Context, s Store, key string, delta int64, opts ...PutOption) (int64, error) {
	var n int64
	raw, err := s.Get(ctx, key)
	switch {
	case IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		n, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("counter %s: %w", key, err)
		}
	}
	n += delta
	if err := s.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), opts...); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}
