// Package repo is a generic JSON repository over ports.KV. Records sit in a
// versioned envelope; old records are migrated when read.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/wren/backend/ports"
)

// Envelope wraps every stored record.
type Envelope struct {
	Version int             `json:"v"`
	Data    json.RawMessage `json:"data"`
}

// Migrator upgrades a record stored at version from.
type Migrator[T any] func(from int, raw json.RawMessage) (T, error)

// Repo stores values of type T under a key prefix.
type Repo[T any] struct {
	kv        ports.KV
	prefix    string
	version   int
	migrate   Migrator[T]
	ttl       time.Duration
	writeBack bool
}

// Option configures a Repo.
type Option[T any] func(*Repo[T])

// WithVersion sets the current schema version and how to migrate older ones.
func WithVersion[T any](v int, m Migrator[T]) Option[T] {
	return func(r *Repo[T]) { r.version, r.migrate = v, m }
}

// WithTTL gives every record written by Put an expiry; WithWriteBack stores
// migrated records in the current version on read.
func WithTTL[T any](d time.Duration) Option[T] { return func(r *Repo[T]) { r.ttl = d } }
func WithWriteBack[T any]() Option[T]          { return func(r *Repo[T]) { r.writeBack = true } }

// New returns a Repo.
func New[T any](kv ports.KV, prefix string, opts ...Option[T]) *Repo[T] {
	r := &Repo[T]{kv: kv, prefix: prefix, version: 1}
	for _, o := range opts {
		o(r)
	}
	return r
}

// ErrNoMigration is returned for an old record without a Migrator.
var ErrNoMigration = errors.New("repo: no migration for stored version")

// Key returns the storage key of id.
func (r *Repo[T]) Key(id string) string { return r.prefix + ":" + id }

// Load decodes the record id into into.
func (r *Repo[T]) Load(ctx context.Context, id string, into *T) (found bool, err error) {
	raw, err := r.kv.Get(ctx, r.Key(id))
	if errors.Is(err, ports.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var env Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return true, fmt.Errorf("repo: %s: %w", r.Key(id), err)
	}
	if env.Version == r.version {
		return true, json.Unmarshal(env.Data, into)
	}
	if r.migrate == nil {
		return true, fmt.Errorf("%w: %s at v%d", ErrNoMigration, r.Key(id), env.Version)
	}
	v, err := r.migrate(env.Version, env.Data)
	if err != nil {
		return true, fmt.Errorf("repo: migrate %s from v%d: %w", r.Key(id), env.Version, err)
	}
	*into = v
	if r.writeBack {
		if err := r.Put(ctx, id, v); err != nil { // DEBATABLE kvrace
			return true, err
		}
	}
	return true, nil
}

// Get returns the record id.
func (r *Repo[T]) Get(ctx context.Context, id string) (T, bool, error) {
	var v T
	found, err := r.Load(ctx, id, &v)
	return v, found, err
}

// Put stores v as the record id.
func (r *Repo[T]) Put(ctx context.Context, id string, v T, opts ...ports.PutOption) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b, err := json.Marshal(Envelope{Version: r.version, Data: data})
	if err != nil {
		return err
	}
	if r.ttl > 0 {
		opts = append([]ports.PutOption{ports.WithTTL(r.ttl)}, opts...)
	}
	return r.kv.Put(ctx, r.Key(id), b, opts...)
}

// Delete removes the record id.
func (r *Repo[T]) Delete(ctx context.Context, id string) error {
	return r.kv.Delete(ctx, r.Key(id))
}
