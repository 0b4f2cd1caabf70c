package kvstore

import (
	"context"
	"encoding/json"
	"time"
)

// Base is embedded by domain stores: it carries the key prefix, the lifetime
// of the records and the namespace they live in.
type Base struct {
	Prefix   string
	Lifetime time.Duration
	KV       *Store
}

// KeyFor returns the full key for id.
func (b Base) KeyFor(id string) string { return b.Prefix + id }

// Fetch decodes the record for id into out.
func (b Base) Fetch(ctx context.Context, id string, out any) error {
	return b.KV.Load(ctx, b.KeyFor(id), out)
}

// Store encodes v and writes it for id with the base lifetime.
func (b Base) Store(ctx context.Context, id string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.KV.Put(ctx, b.KeyFor(id), raw, b.Lifetime)
}

// Drop removes the record for id.
func (b Base) Drop(ctx context.Context, id string) error {
	return b.KV.Delete(ctx, b.KeyFor(id))
}
