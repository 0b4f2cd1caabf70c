// Package codec converts typed values to stored bytes and offers a typed Bucket on the port.
package codec

import (
	"encoding"
	"encoding/json"
	"strconv"
)

type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON encodes values with encoding/json.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (v T, err error) {
	err = json.Unmarshal(b, &v)
	return v, err
}

// Text encodes values through MarshalText and UnmarshalText.
type Text[T encoding.TextMarshaler, PT interface {
	*T
	encoding.TextUnmarshaler
}] struct{}

func (Text[T, PT]) Encode(v T) ([]byte, error) { return v.MarshalText() }

func (Text[T, PT]) Decode(b []byte) (v T, err error) {
	err = PT(&v).UnmarshalText(b)
	return v, err
}

// Int64 stores integers as decimal text.
type Int64 struct{}

func (Int64) Encode(n int64) ([]byte, error) { return strconv.AppendInt(nil, n, 10), nil }

func (Int64) Decode(b []byte) (int64, error) { return strconv.ParseInt(string(b), 10, 64) }
