// Package svc provides the persistence skeleton shared by the edge services.
//
// A concrete service embeds Base and supplies the steps that differ between
// services (validation, expiry) through the Hooks interface; Base drives the
// sequence so that every service validates, writes and notifies the same way.
package svc

import (
	"context"
	"fmt"

	"example.com/yarrow/internal/storage"
)

// Hooks are the steps a concrete service overrides.
type Hooks interface {
	// Validate rejects a value before it is written.
	Validate(key string, value []byte) error
	// Expiry chooses the write options for key.
	Expiry(key string) storage.WriteOptions
}

// DefaultHooks accepts everything and never expires values. Services embed
// it and override only what they need.
type DefaultHooks struct{}

// Validate implements Hooks.
func (DefaultHooks) Validate(string, []byte) error { return nil }

// Expiry implements Hooks.
func (DefaultHooks) Expiry(string) storage.WriteOptions { return storage.WriteOptions{} }

// Base is embedded by concrete services.
type Base struct {
	Name  string
	Store storage.Store
	Hooks Hooks
	// OnSave runs after every successful write, e.g. to notify displays.
	OnSave func(ctx context.Context, key string, value []byte) error
}

// NewBase returns a Base with default hooks; the embedding service replaces
// Hooks with itself.
func NewBase(name string, st storage.Store) Base {
	return Base{Name: name, Store: st, Hooks: DefaultHooks{}}
}

// Persist validates, writes and notifies.
func (b *Base) Persist(ctx context.Context, key string, value []byte) error {
	if err := b.Hooks.Validate(key, value); err != nil {
		return fmt.Errorf("%s: %w", b.Name, err)
	}
	if err := b.Store.Put(ctx, key, value, b.Hooks.Expiry(key)); err != nil {
		return fmt.Errorf("%s: put %s: %w", b.Name, key, err)
	}
	if b.OnSave != nil {
		if err := b.OnSave(ctx, key, value); err != nil {
			return fmt.Errorf("%s: after save: %w", b.Name, err)
		}
	}
	return nil
}

// Fetch reads a value; misses are returned wrapped so that callers can use
// errors.Is(err, storage.ErrNotFound).
func (b *Base) Fetch(ctx context.Context, key string) ([]byte, error) {
	v, err := b.Store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("%s: get %s: %w", b.Name, key, err)
	}
	return v, nil
}
