package kvstore

import (
	"context"
	"encoding/json"
	"time"
)

// Base implements load, save and remove for one record type. Concrete
// stores embed it and fill in the hooks in their constructors: KeyFor maps
// a record id to its key, Encode and Decode convert records to bytes (JSON
// when nil) and TTL is the lifetime of every record written.
type Base struct {
	Store  Store
	KeyFor func(id string) string
	Encode func(v any) ([]byte, error)
	Decode func(data []byte, v any) error
	TTL    time.Duration
}

func (b *Base) encode(v any) ([]byte, error) {
	if b.Encode != nil {
		return b.Encode(v)
	}
	return json.Marshal(v)
}

func (b *Base) decode(data []byte, v any) error {
	if b.Decode != nil {
		return b.Decode(data, v)
	}
	return json.Unmarshal(data, v)
}

// Load reads the record for id into out and reports whether it existed.
func (b *Base) Load(ctx context.Context, id string, out any) (bool, error) {
	opt, err := b.Store.Get(ctx, b.KeyFor(id))
	if err != nil || !opt.Found {
		return false, err
	}
	return true, b.decode(opt.Value, out)
}

// Save writes v as the record for id.
func (b *Base) Save(ctx context.Context, id string, v any) error {
	data, err := b.encode(v)
	if err != nil {
		return err
	}
	return b.Store.Put(ctx, b.KeyFor(id), data, b.TTL)
}

// Remove deletes the record for id.
func (b *Base) Remove(ctx context.Context, id string) error {
	return b.Store.Delete(ctx, b.KeyFor(id))
}

// Modify loads the record for id into out (leaving out untouched when there
// is none), calls fn, and writes out back. fn may return an error to abort
// without writing.
func (b *Base) Modify(ctx context.Context, id string, out any, fn func() error) error {
	key := b.KeyFor(id)
	opt, err := b.Store.Get(ctx, key)
	if err != nil {
		return err
	}
	if opt.Found {
		if err := b.decode(opt.Value, out); err != nil {
			return err
		}
	}
	if err := fn(); err != nil {
		return err
	}
	data, err := b.encode(out)
	if err != nil {
		return err
	}
	return b.Store.Put(ctx, key, data, b.TTL) // EXPECT kvrace
}
