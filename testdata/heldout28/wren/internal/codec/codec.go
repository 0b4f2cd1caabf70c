// Package codec compresses and frames values before they are stored.
package codec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// MaxValueBytes is the largest value the store accepts (25 MiB).
const MaxValueBytes = 25 << 20

// ErrTooLarge is returned when an encoded value would exceed MaxValueBytes.
var ErrTooLarge = errors.New("codec: value too large")

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Gzip compresses p. The returned slice is a copy and safe to keep.
func Gzip(p []byte) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	zw := gzip.NewWriter(buf)
	if _, err := zw.Write(p); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > MaxValueBytes {
		return nil, fmt.Errorf("%w: %d bytes compressed", ErrTooLarge, buf.Len())
	}
	return bytes.Clone(buf.Bytes()), nil
}

// PutUint64 encodes a running total.
func PutUint64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// Uint64 decodes a value written by PutUint64; short input decodes as zero.
func Uint64(p []byte) uint64 {
	if len(p) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(p)
}

// PutUint32 encodes a small counter value.
func PutUint32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// Uint32 decodes a value written by PutUint32; short input decodes as zero.
func Uint32(p []byte) uint32 {
	if len(p) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(p)
}
