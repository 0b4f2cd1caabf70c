package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"
)

// Writer hands out entry builders bound to a store.
type Writer struct {
	store Store
}

// NewWriter returns a Writer over s.
func NewWriter(s Store) Writer { return Writer{store: s} }

// Entry starts building a write of key.
func (w Writer) Entry(key string) Entry {
	return Entry{store: w.store, key: key}
}

// Entry is an immutable write description; each setter returns a copy, so a
// partially built Entry can be shared as a template.
type Entry struct {
	store    Store
	key      string
	value    []byte
	ttl      time.Duration
	expireAt time.Time
	meta     map[string]any
	err      error
}

// Value sets the raw value.
func (e Entry) Value(v []byte) Entry {
	e.value = v
	return e
}

// String sets a string value.
func (e Entry) String(s string) Entry {
	e.value = []byte(s)
	return e
}

// JSON marshals v as the value.
func (e Entry) JSON(v any) Entry {
	b, err := json.Marshal(v)
	if err != nil {
		e.err = fmt.Errorf("entry %q: %w", e.key, err)
		return e
	}
	e.value = b
	return e
}

// TTL expires the entry d after it is written.
func (e Entry) TTL(d time.Duration) Entry {
	e.ttl = d
	return e
}

// ExpireAt expires the entry at t.
func (e Entry) ExpireAt(t time.Time) Entry {
	e.expireAt = t
	return e
}

// Meta adds one metadata field.
func (e Entry) Meta(k string, v any) Entry {
	m := make(map[string]any, len(e.meta)+1)
	maps.Copy(m, e.meta)
	m[k] = v
	e.meta = m
	return e
}

// Put performs the write.
func (e Entry) Put(ctx context.Context) error {
	if e.err != nil {
		return e.err
	}
	var opts []PutOption
	if e.ttl > 0 {
		opts = append(opts, WithTTL(e.ttl))
	}
	if !e.expireAt.IsZero() {
		opts = append(opts, WithExpiry(e.expireAt))
	}
	if len(e.meta) > 0 {
		opts = append(opts, WithMetadata(e.meta))
	}
	return e.store.Put(ctx, e.key, e.value, opts...)
}
