package kvstore

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"time"
)

// Codec turns a T into a KV string value and back.
type Codec[T any] interface {
	Encode(T) (string, error)
	Decode(string) (T, error)
}

// JSON encodes values as JSON.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (JSON[T]) Decode(s string) (v T, err error) {
	err = json.Unmarshal([]byte(s), &v)
	return v, err
}

// Gob encodes values with encoding/gob, base64url so they stay printable.
type Gob[T any] struct{}

func (Gob[T]) Encode(v T) (string, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(v)
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), err
}

func (Gob[T]) Decode(s string) (v T, err error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
	}
	return v, err
}

// Typed pairs a store with a codec.
type Typed[T any] struct {
	S Store
	C Codec[T]
}

func (t Typed[T]) Load(k Key) (v T, err error) {
	raw, err := t.S.Get(k)
	if err != nil {
		return v, err
	}
	return t.C.Decode(raw)
}

func (t Typed[T]) Save(k Key, v T, ttl time.Duration) error {
	raw, err := t.C.Encode(v)
	if err != nil {
		return err
	}
	return t.S.Put(k, raw, ttl)
}

// Update loads the value at key (the zero T when absent), applies fn and
// writes the result back with ttl.
func Update[T any](s Store, c Codec[T], key Key, ttl time.Duration, fn func(*T) error) error {
	var v T
	raw, err := s.Get(key)
	if err == nil {
		v, err = c.Decode(raw)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	out, err := c.Encode(v)
	if err != nil {
		return err
	}
	return s.Put(key, out, ttl) // EXPECT kvrace
}
