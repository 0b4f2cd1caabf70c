// Package codec holds the value encodings shared by the storage adapters:
// gzip for large documents, fixed-width binary integers, and versioned JSON
// envelopes.
package codec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// MaxValueSize is the largest value the KV store accepts (25 MiB).
const MaxValueSize = 25 << 20

// ErrTooLarge is returned by CheckSize.
var ErrTooLarge = errors.New("codec: value exceeds store limit")

// CheckSize rejects values the store would refuse.
func CheckSize(b []byte) error {
	if len(b) > MaxValueSize {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Gzip compresses b. The result is a fresh slice owned by the caller.
func Gzip(b []byte) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)

	zw, _ := gzip.NewWriterLevel(buf, gzip.BestSpeed)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// Uint32 encodes n as four big-endian bytes.
func Uint32(n uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, n)
	return b
}

// Uint64 encodes n as eight big-endian bytes.
func Uint64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// ReadUint32 decodes a value written by Uint32.
func ReadUint32(b []byte) (uint32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("codec: want 4 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint32(b), nil
}

// ReadUint64 decodes a value written by Uint64.
func ReadUint64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("codec: want 8 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}
