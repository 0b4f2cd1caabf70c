package storage

import (
	"context"
	"encoding/json"
	"fmt"
)

// Load reads the JSON record of type T stored under the key that T derives
// from id.
func Load[T any, PT interface {
	*T
	Key() string
	SetID(string)
}](ctx context.Context, s Store, id string) (*T, error) {
	rec := PT(new(T))
	rec.SetID(id)
	key := rec.Key()
	raw, err := s.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	if err := json.Unmarshal(raw, rec); err != nil {
		return nil, fmt.Errorf("load %s: decode: %w", key, err)
	}
	// The stored document may predate the id fields; the key is authoritative.
	rec.SetID(id)
	return (*T)(rec), nil
}

// Save writes rec as JSON under its own key.
func Save[T any, PT interface {
	*T
	Key() string
}](ctx context.Context, s Store, rec PT, o WriteOptions) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("save %s: encode: %w", rec.Key(), err)
	}
	if err := s.Put(ctx, rec.Key(), raw, o); err != nil {
		return fmt.Errorf("save %s: %w", rec.Key(), err)
	}
	return nil
}

// Mutate loads the record identified by id, lets fn change it and saves it
// back with the given options.
func Mutate[T any, PT interface {
	*T
	Key() string
	SetID(string)
}](ctx context.Context, s Store, id string, o WriteOptions, fn func(PT) error) error {
	rec, err := Load[T, PT](ctx, s, id)
	if err != nil {
		return err
	}
	if err := fn(PT(rec)); err != nil {
		return err
	}
	return Save[T, PT](ctx, s, PT(rec), o) // EXPECT kvrace
}
