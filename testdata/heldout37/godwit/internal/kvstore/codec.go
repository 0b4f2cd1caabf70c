package kvstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"strings"
	"time"
)

// Codec turns a T into the text stored in KV and back.
type Codec[T any] interface {
	Encode(T) (string, error)
	Decode(string) (T, error)
}

// JSON stores values as JSON text.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (JSON[T]) Decode(s string) (T, error) {
	var v T
	err := json.Unmarshal([]byte(s), &v)
	return v, err
}

// Gob stores values gob-encoded (types with MarshalBinary use it) and base64
// wrapped, since the binding's text API cannot carry arbitrary bytes.
type Gob[T any] struct{}

func (Gob[T]) Encode(v T) (string, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func (Gob[T]) Decode(s string) (T, error) {
	var v T
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return v, err
	}
	err = gob.NewDecoder(bytes.NewReader(raw)).Decode(&v)
	return v, err
}

// Load reads key and decodes it with c. A missing key yields the zero T.
func Load[T any](ctx context.Context, g Getter, key Key, c Codec[T]) (T, error) {
	raw, err := g.Get(ctx, key)
	if err != nil || raw == Missing {
		var zero T
		return zero, err
	}
	return c.Decode(raw)
}

// Save encodes v with c and writes it under key.
func Save[T any](ctx context.Context, p Putter, key Key, v T, c Codec[T], ttl time.Duration) error {
	raw, err := c.Encode(v)
	if err != nil {
		return err
	}
	return p.Put(ctx, key, raw, ttl)
}

// AppendLine adds one line to a newline-separated text value.
func AppendLine(ctx context.Context, s Store, key Key, line string, ttl time.Duration) error {
	cur, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if cur == Missing {
		cur = ""
	}
	next := strings.TrimPrefix(cur+"\n"+line, "\n")
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}
