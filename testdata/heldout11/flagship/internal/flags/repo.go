package flags

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/typed"
)

// Repo reads and writes flag definitions for one environment.
type Repo struct {
	env  string
	kv   storage.Store
	defs *typed.Store[Flag]
}

// NewRepo returns a repository for env over kv.
func NewRepo(kv storage.Store, env string) *Repo {
	return &Repo{env: env, kv: kv, defs: typed.New[Flag](kv, kvkey.Flags.Child(env), nil)}
}

// Get returns one flag.
func (r *Repo) Get(ctx context.Context, name string) (Flag, error) { return r.defs.Get(ctx, name) }

// Create stores a new flag and refuses to replace an existing one.
func (r *Repo) Create(ctx context.Context, f Flag) error {
	if err := f.Validate(); err != nil {
		return err
	}
	key := kvkey.Flag(r.env, f.Key).String()
	if _, err := r.kv.Get(ctx, key); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, f.Key)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	f.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return r.kv.Put(ctx, key, b) // EXPECT kvrace
}

// Save replaces a flag with the given definition.
func (r *Repo) Save(ctx context.Context, f Flag) error {
	if err := f.Validate(); err != nil {
		return err
	}
	f.UpdatedAt = time.Now().UTC()
	return r.defs.Put(ctx, f.Key, f, 0)
}

// SetEnabled flips a flag on or off.
func (r *Repo) SetEnabled(ctx context.Context, name string, on bool) error {
	return r.defs.Update(ctx, name, 0, func(f *Flag) error {
		f.Enabled, f.UpdatedAt = on, time.Now().UTC()
		return nil
	})
}

// Page lists one page of flag names; the cursor goes back to the caller.
func (r *Repo) Page(ctx context.Context, cursor string) ([]string, string, error) {
	p, err := r.kv.List(ctx, kvkey.Flags.Child(r.env).Prefix(), cursor, storage.WithLimit(200))
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(p.Entries))
	for _, e := range p.Entries {
		names = append(names, kvkey.Key(e.Name).Base())
	}
	return names, p.Cursor, nil
}
