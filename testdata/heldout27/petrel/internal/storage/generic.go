package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

type Keyed interface {
	Key() string
}

// Load reads the record with the given id. PT is the pointer type of T so
// that SetID and Key can have pointer receivers.
func Load[T any, PT interface {
	*T
	Keyed
	SetID(string)
}](ctx context.Context, s Store, id string) (*T, error) {
	var v T
	p := PT(&v)
	p.SetID(id)
	raw, err := s.Get(ctx, p.Key())
	if err != nil {
		return nil, fmt.Errorf("load %T %s: %w", v, id, err)
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("decode %T %s: %w", v, id, err)
	}
	return &v, nil
}

func Save[T any, PT interface {
	*T
	Keyed
}](ctx context.Context, s Store, v PT, o PutOptions) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	return s.Put(ctx, v.Key(), bytes.TrimRight(buf.Bytes(), "\n"), o)
}

// Mutate loads a record, lets fn change it and writes it back.
func Mutate[T any, PT interface {
	*T
	Keyed
	SetID(string)
}](ctx context.Context, s Store, id string, o PutOptions, fn func(PT) error) (*T, error) {
	v, err := Load[T, PT](ctx, s, id)
	if err != nil {
		return nil, err
	}
	if err := fn(PT(v)); err != nil {
		return nil, err
	}
	if err := Save[T, PT](ctx, s, PT(v), o); err != nil { // EXPECT kvrace
		return nil, err
	}
	return v, nil
}
