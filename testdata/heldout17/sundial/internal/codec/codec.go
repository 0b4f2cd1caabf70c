// Package codec converts domain values to and from the bytes stored in KV.
package codec

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Codec encodes and decodes values of type T.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// JSON is a Codec for any JSON-serialisable type.
type JSON[T any] struct{}

// Encode implements Codec.
func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

// Decode implements Codec.
func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("codec: json: %w", err)
	}
	return v, nil
}

// Int stores an integer as its decimal text, so that it is readable in the
// dashboard.
type Int struct{}

// Encode implements Codec.
func (Int) Encode(v int64) ([]byte, error) { return strconv.AppendInt(nil, v, 10), nil }

// Decode implements Codec.
func (Int) Decode(b []byte) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// Lines stores a set of strings one per line.
type Lines struct{}

// Encode implements Codec.
func (Lines) Encode(v []string) ([]byte, error) {
	for _, s := range v {
		if strings.ContainsRune(s, '\n') {
			return nil, errors.New("codec: lines: value contains a newline")
		}
	}
	return []byte(strings.Join(v, "\n")), nil
}

// Decode implements Codec.
func (Lines) Decode(b []byte) ([]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return strings.Split(string(b), "\n"), nil
}
