package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// EntryBuilder assembles a single write. Every setter returns a modified copy,
// so a partly configured builder can be shared and specialised.
type EntryBuilder struct {
	b     *Bucket
	key   string
	value []byte
	ttl   time.Duration
	meta  map[string]any
	err   error
}

// Entry starts a write to key.
func (b *Bucket) Entry(key string) EntryBuilder {
	return EntryBuilder{b: b, key: key}
}

// Value sets the raw bytes to store.
func (e EntryBuilder) Value(v []byte) EntryBuilder {
	e.value = v
	return e
}

// String sets a text value.
func (e EntryBuilder) String(v string) EntryBuilder {
	e.value = []byte(v)
	return e
}

// JSON encodes v as the value.
func (e EntryBuilder) JSON(v any) EntryBuilder {
	raw, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return e
	}
	e.value = raw
	return e
}

// TTL expires the entry after d.
func (e EntryBuilder) TTL(d time.Duration) EntryBuilder {
	e.ttl = d
	return e
}

// Meta attaches listing metadata.
func (e EntryBuilder) Meta(m map[string]any) EntryBuilder {
	e.meta = m
	return e
}

// Put performs the write, picking the richest capability the store offers.
func (e EntryBuilder) Put(ctx context.Context) error {
	if e.err != nil {
		return e.err
	}
	if e.key == "" {
		return errors.New("kvstore: empty key")
	}
	s := e.b.s
	if e.meta != nil {
		if mp, ok := s.(MetadataPutter); ok {
			return mp.PutMeta(ctx, e.key, e.value, e.meta, e.ttl)
		}
	}
	return e.b.Put(ctx, e.key, e.value, e.ttl)
}
