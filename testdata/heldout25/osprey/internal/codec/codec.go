// Package codec converts domain values to and from the bytes stored in KV.
package codec

import (
	"encoding/json"
	"strconv"
)

// Codec encodes and decodes values of one type.
type Codec[V any] interface {
	Encode(V) ([]byte, error)
	Decode([]byte) (V, error)
}

// JSON is a Codec for any JSON-serialisable type.
type JSON[V any] struct{}

func (JSON[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }

func (JSON[V]) Decode(b []byte) (V, error) {
	var v V
	err := json.Unmarshal(b, &v)
	return v, err
}

// Int stores integers as decimal text so they are readable in the dashboard.
type Int struct{}

func (Int) Encode(v int64) ([]byte, error) { return strconv.AppendInt(nil, v, 10), nil }

func (Int) Decode(b []byte) (int64, error) { return strconv.ParseInt(string(b), 10, 64) }

// Text stores strings verbatim.
type Text struct{}

func (Text) Encode(v string) ([]byte, error) { return []byte(v), nil }

func (Text) Decode(b []byte) (string, error) { return string(b), nil }

var (
	_ Codec[int64]  = Int{}
	_ Codec[string] = Text{}
	_ Codec[any]    = JSON[any]{}
)
