// Package records has the shared plumbing of the portal's KV-backed record
// types. A concrete store embeds Base and fills in the hooks in its
// constructor; Base supplies load, save and remove.
package records

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/corncrake/internal/kvstore"
)

// Base is the template for a record store.
type Base struct {
	Store kvstore.Store

	// KeyFor maps a record id to its KV key.
	KeyFor func(id string) string
	// Encode and Decode convert records to and from stored bytes.
	Encode func(v any) ([]byte, error)
	Decode func(raw []byte, v any) error
	// TTL is the relative expiry of saved records; zero keeps them forever.
	TTL time.Duration
	// Meta, if set, derives list metadata from the record being saved.
	Meta func(v any) any
}

// JSON fills Encode and Decode with encoding/json when they are unset.
func (b *Base) JSON() {
	if b.Encode == nil {
		b.Encode = json.Marshal
	}
	if b.Decode == nil {
		b.Decode = json.Unmarshal
	}
}

// Load reads record id into v and reports whether it exists.
func (b *Base) Load(ctx context.Context, id string, v any) (bool, error) {
	r := b.Store.Get(ctx, b.KeyFor(id))
	if r.Err != nil {
		return false, r.Err
	}
	if !r.Val.Found {
		return false, nil
	}
	if err := b.Decode(r.Val.Value, v); err != nil {
		return false, fmt.Errorf("records: decode %s: %w", b.KeyFor(id), err)
	}
	return true, nil
}

// Save writes v as record id.
func (b *Base) Save(ctx context.Context, id string, v any) error {
	raw, err := b.Encode(v)
	if err != nil {
		return err
	}
	opts := kvstore.PutOptions{TTL: b.TTL}
	if b.Meta != nil {
		opts.Metadata = b.Meta(v)
	}
	return b.Store.Put(ctx, b.KeyFor(id), raw, opts)
}

// Remove deletes record id.
func (b *Base) Remove(ctx context.Context, id string) error {
	return b.Store.Delete(ctx, b.KeyFor(id))
}

// AppendEntry adds entry to the JSON array stored as record id, creating the
// array if needed. Used for small per-record logs (audit trails, amendments).
func (b *Base) AppendEntry(ctx context.Context, id string, entry any) error {
	key := b.KeyFor(id)
	var list []json.RawMessage
	r := b.Store.Get(ctx, key)
	if r.Err != nil {
		return r.Err
	}
	if r.Val.Found {
		if err := json.Unmarshal(r.Val.Value, &list); err != nil {
			return fmt.Errorf("records: decode %s: %w", key, err)
		}
	}
	raw, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	list = append(list, raw)
	out, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return b.Store.Put(ctx, key, out, kvstore.PutOptions{TTL: b.TTL}) // EXPECT kvrace
}
