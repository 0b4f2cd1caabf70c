// Package codec converts domain values to and from the bytes kept in storage.
package codec

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Codec encodes and decodes values of a single type.
type Codec[V any] interface {
	Encode(V) ([]byte, error)
	Decode([]byte) (V, error)
}

// JSON is a Codec backed by encoding/json.
type JSON[V any] struct{}

// Encode marshals v.
func (JSON[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }

// Decode unmarshals b into a fresh V.
func (JSON[V]) Decode(b []byte) (V, error) {
	var v V
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("codec: decode %T: %w", v, err)
	}
	return v, nil
}

// Text passes strings through unchanged.
type Text struct{}

// Encode returns the bytes of s.
func (Text) Encode(s string) ([]byte, error) { return []byte(s), nil }

// Decode returns b as a string.
func (Text) Decode(b []byte) (string, error) { return string(b), nil }

// Int stores integers in decimal form so they stay readable in the dashboard.
type Int struct{}

// Encode formats n in base 10.
func (Int) Encode(n int) ([]byte, error) { return []byte(strconv.Itoa(n)), nil }

// Decode parses a base-10 integer.
func (Int) Decode(b []byte) (int, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("codec: decode int: %w", err)
	}
	return n, nil
}

var (
	_ Codec[string]         = Text{}
	_ Codec[int]            = Int{}
	_ Codec[map[string]any] = JSON[map[string]any]{}
)
