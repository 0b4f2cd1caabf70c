package repo

import (
	"bytes"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// Codec turns a T into bytes and back.
type Codec[T any] interface {
	Encode(T) ([]byte, error)
	Decode([]byte) (T, error)
}

// JSON encodes values as JSON.
type JSON[T any] struct{}

func (JSON[T]) Encode(v T) ([]byte, error) { return json.Marshal(v) }

func (JSON[T]) Decode(b []byte) (T, error) {
	var v T
	err := json.Unmarshal(b, &v)
	return v, err
}

// Gob encodes values with encoding/gob; used where values are only read by
// Go services and compactness matters.
type Gob[T any] struct{}

func (Gob[T]) Encode(v T) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (Gob[T]) Decode(b []byte) (T, error) {
	var v T
	err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
	return v, err
}

// Rows is a value that can be written as CSV records.
type Rows interface {
	Records() [][]string
}

// CSV encodes a type through its record form. FromRecords builds the value
// back.
type CSV[T Rows] struct {
	FromRecords func([][]string) (T, error)
}

func (c CSV[T]) Encode(v T) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(v.Records()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (c CSV[T]) Decode(b []byte) (T, error) {
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		var zero T
		return zero, fmt.Errorf("csv decode: %w", err)
	}
	return c.FromRecords(recs)
}
