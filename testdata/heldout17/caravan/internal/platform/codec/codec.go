// Package codec turns domain values into bytes for storage and back.
package codec

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Codec encodes and decodes values of type T.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// ErrEmpty is returned when decoding an empty payload.
var ErrEmpty = errors.New("codec: empty payload")

// JSON is a Codec backed by encoding/json.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	if len(b) == 0 {
		return v, ErrEmpty
	}
	return v, json.Unmarshal(b, &v)
}

// Int64 stores integers as decimal text so they stay readable in the dashboard.
type Int64 struct{}

func (Int64) Encode(v int64) ([]byte, error) { return strconv.AppendInt(nil, v, 10), nil }

func (Int64) Decode(b []byte) (int64, error) {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, ErrEmpty
	}
	return strconv.ParseInt(s, 10, 64)
}
