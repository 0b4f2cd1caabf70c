// Package codec stores typed values in a storage.Store.
package codec

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"time"

	"example.com/harbor/internal/storage"
)

// Codec converts values of T to and from bytes.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// JSON encodes with encoding/json.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }
func (JSON[T]) Decode(b []byte) (v T, err error) {
	err = json.Unmarshal(b, &v)
	return v, err
}

// Gob encodes with encoding/gob and base64, so values stay printable in the
// dashboard.
type Gob[T any] struct{}

func (Gob[T]) Encode(v T) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return base64.StdEncoding.AppendEncode(nil, buf.Bytes()), nil
}

func (Gob[T]) Decode(b []byte) (v T, err error) {
	raw, err := base64.StdEncoding.AppendDecode(nil, b)
	if err == nil {
		err = gob.NewDecoder(bytes.NewReader(raw)).Decode(&v)
	}
	return v, err
}

// DecodeError is returned when a stored value cannot be decoded.
type DecodeError struct {
	Key string
	Err error
}

func (e *DecodeError) Error() string { return fmt.Sprintf("codec: decode %q: %v", e.Key, e.Err) }
func (e *DecodeError) Unwrap() error { return e.Err }

// Load reads key as JSON. ok is false when the key does not exist.
func Load[T any](ctx context.Context, st storage.Store, key string) (T, bool, error) {
	return LoadWith[T](ctx, st, key, JSON[T]{})
}

// LoadWith is Load with an explicit codec.
func LoadWith[T any](ctx context.Context, st storage.Store, key string, c Codec[T]) (T, bool, error) {
	var zero T
	b, err := st.Get(ctx, key)
	if storage.IsNotFound(err) {
		return zero, false, nil
	}
	if err != nil {
		return zero, false, err
	}
	v, err := c.Decode(b)
	if err != nil {
		return zero, false, &DecodeError{Key: key, Err: err}
	}
	return v, true, nil
}

// MinTTL is the shortest expiry KV accepts.
const MinTTL = time.Minute

// Save writes v as JSON. A positive ttl shorter than MinTTL is raised to it;
// zero means no expiry.
func Save[T any](ctx context.Context, st storage.Store, key string, v T, ttl time.Duration) error {
	return SaveWith(ctx, st, key, v, ttl, JSON[T]{})
}

// SaveWith is Save with an explicit codec.
func SaveWith[T any](ctx context.Context, st storage.Store, key string, v T, ttl time.Duration, c Codec[T]) error {
	b, err := c.Encode(v)
	if err != nil {
		return fmt.Errorf("codec: encode %q: %w", key, err)
	}
	if ttl <= 0 {
		return st.Put(ctx, key, b)
	}
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return st.Put(ctx, key, b, storage.WithTTL(ttl))
}

// Loader produces a value from the system of record.
type Loader[T any] func(ctx context.Context, id string) (T, error)

// Cached is a read-through cache of T in front of a Loader.
type Cached[T any] struct {
	st     storage.Store
	prefix string
	ttl    time.Duration
	load   Loader[T]
}

// NewCached returns a read-through cache storing entries under prefix+id.
func NewCached[T any](st storage.Store, prefix string, ttl time.Duration, load Loader[T]) *Cached[T] {
	return &Cached[T]{st: st, prefix: prefix, ttl: ttl, load: load}
}

// Get returns the cached value for id, loading and storing it on a miss.
func (c *Cached[T]) Get(ctx context.Context, id string) (T, error) {
	key := c.prefix + id
	if v, ok, err := Load[T](ctx, c.st, key); err == nil && ok {
		return v, nil
	}
	v, err := c.load(ctx, id)
	if err != nil {
		return v, err
	}
	if err := Save(ctx, c.st, key, v, c.ttl); err != nil {
		return v, fmt.Errorf("codec: fill %q: %w", key, err)
	}
	return v, nil
}
