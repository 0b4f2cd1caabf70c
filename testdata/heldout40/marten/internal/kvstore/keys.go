package kvstore

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"time"
)

// Prefix is the constant head of a family of keys, e.g. "inv/room/".
type Prefix string

// Of returns the key of one member of the family.
func (p Prefix) Of(id string) string { return string(p) + id }

// Sub returns a narrower prefix: Prefix("hk/").Sub("board") == "hk/board/".
func (p Prefix) Sub(part string) Prefix { return p + Prefix(part) + "/" }

// String implements fmt.Stringer.
func (p Prefix) String() string { return string(p) }

// Load reads a gob-encoded value. ok is false when the key does not exist.
func Load[K ~string, V any](ctx context.Context, s *Store, key K) (v V, ok bool, err error) {
	raw, found, err := s.Lookup(ctx, string(key))
	if err != nil || !found {
		return v, false, err
	}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&v); err != nil {
		return v, false, fmt.Errorf("decode %q: %w", string(key), err)
	}
	return v, true, nil
}

// Keep gob-encodes v and writes it under key for ttl (0: no expiry).
func Keep[K ~string, V any](ctx context.Context, s *Store, key K, v V, ttl time.Duration) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("encode %q: %w", string(key), err)
	}
	if ttl == 0 {
		return s.Put(ctx, string(key), buf.Bytes())
	}
	return s.PutTTL(ctx, string(key), buf.Bytes(), ttl)
}

// Drop deletes the key a typed key renders to.
func Drop(ctx context.Context, s *Store, key fmt.Stringer) error {
	return s.Delete(ctx, key.String())
}
