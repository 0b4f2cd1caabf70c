package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Base implements loading and saving of one record kind. Concrete stores
// embed nothing; they hold a *Base and set its hooks in their constructor:
// KeyFor maps a record id to its KV key, Encode and Decode convert the
// record, TTL is how long a saved record lives (zero: forever).
type Base struct {
	St     Store
	Kind   string
	KeyFor func(id string) string
	Encode func(v any) ([]byte, error)
	Decode func(b []byte, v any) error
	TTL    time.Duration
}

// NewBase returns a Base with JSON hooks; callers override what differs.
func NewBase(st Store, kind string) *Base {
	return &Base{
		St:     st,
		Kind:   kind,
		KeyFor: func(id string) string { return kind + ":" + id },
		Encode: json.Marshal,
		Decode: json.Unmarshal,
	}
}

// Load reads the record with id into dst and reports whether it existed.
func (b *Base) Load(ctx context.Context, id string, dst any) (bool, error) {
	res := b.St.Get(ctx, b.KeyFor(id))
	if res.Err != nil {
		return false, fmt.Errorf("%s %s: %w", b.Kind, id, res.Err)
	}
	if !res.Value.Found {
		return false, nil
	}
	if err := b.Decode(res.Value.Value, dst); err != nil {
		return false, fmt.Errorf("%s %s: decode: %w", b.Kind, id, err)
	}
	return true, nil
}

// Save encodes v and writes it under id with the kind's TTL.
func (b *Base) Save(ctx context.Context, id string, v any) error {
	raw, err := b.Encode(v)
	if err != nil {
		return fmt.Errorf("%s %s: encode: %w", b.Kind, id, err)
	}
	return b.St.Put(ctx, b.KeyFor(id), raw, b.TTL)
}

// Remove deletes the record with id.
func (b *Base) Remove(ctx context.Context, id string) error {
	return b.St.Delete(ctx, b.KeyFor(id))
}
