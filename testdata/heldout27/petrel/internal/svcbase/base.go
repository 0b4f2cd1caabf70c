// Package svcbase is the common lifecycle of JSON records kept in the
// key-value store. Concrete services embed Base and supply Hooks.
package svcbase

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"example.com/petrel/internal/storage"
)

type Record struct {
	Key   string
	Value []byte
	Opts  storage.PutOptions
}

// Hooks are the steps a concrete service may override.
type Hooks interface {
	// Validate runs before every write.
	Validate(ctx context.Context, key string, v any) error
	// Saved runs after a successful write.
	Saved(ctx context.Context, key string)
}

// Base implements Save, Fetch and Remove once for all services.
type Base struct {
	Store    storage.Store
	Hooks    Hooks
	Defaults storage.PutOptions
	// OnSave, when set at construction, observes every write.
	OnSave func(ctx context.Context, r Record) error
}

// NewBase returns a Base that calls back into hooks.
func NewBase(st storage.Store, hooks Hooks, defaults storage.PutOptions) Base {
	return Base{Store: st, Hooks: hooks, Defaults: defaults}
}

// Save encodes v and writes it with the defaults; a non-zero ttl replaces
// the default lifetime for this call only.
func (b *Base) Save(ctx context.Context, key string, v any, ttl time.Duration) error {
	if err := b.Hooks.Validate(ctx, key, v); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	o := b.Defaults
	if ttl != 0 {
		o.TTL = ttl
	}
	rec := Record{Key: key, Value: buf.Bytes(), Opts: o}
	if err := b.Store.Put(ctx, key, rec.Value, o); err != nil {
		return err
	}
	if b.OnSave != nil {
		if err := b.OnSave(ctx, rec); err != nil {
			return fmt.Errorf("on save %s: %w", key, err)
		}
	}
	b.Hooks.Saved(ctx, key)
	return nil
}

func (b *Base) Fetch(ctx context.Context, key string, dst any) error {
	raw, err := b.Store.Get(ctx, key)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(io.LimitReader(bytes.NewReader(raw), 1<<20))
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

func (b *Base) Remove(ctx context.Context, key string) error {
	return b.Store.Delete(ctx, key)
}
