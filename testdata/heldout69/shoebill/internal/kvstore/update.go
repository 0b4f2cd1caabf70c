package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Mutator changes a decoded document in place. Returning false leaves the
// stored value untouched.
type Mutator[T any] func(doc *T) (changed bool, err error)

// UpdateJSON loads the JSON document at key (a zero T when it does not exist
// yet), applies fn and writes the result back.
func UpdateJSON[T any](ctx context.Context, s *Store, key string, fn Mutator[T]) (T, error) {
	var doc T
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return doc, err
	default:
		if err := json.Unmarshal(raw, &doc); err != nil {
			return doc, err
		}
	}
	changed, err := fn(&doc)
	if err != nil || !changed {
		return doc, err
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return doc, err
	}
	return doc, s.Put(ctx, key, out) // EXPECT kvrace
}

// ReadThrough returns the cached JSON document at key, or calls load, caches
// its result for ttl and returns it.
func ReadThrough[T any](ctx context.Context, s *Store, key string, ttl time.Duration, load func(context.Context) (T, error)) (T, error) {
	var v T
	if raw, ok, err := s.Lookup(ctx, key); err != nil {
		return v, err
	} else if ok {
		if err := json.Unmarshal(raw, &v); err == nil {
			return v, nil
		}
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	if raw, err := json.Marshal(v); err == nil {
		_ = s.PutTTL(ctx, key, raw, ttl)
	}
	return v, nil
}
