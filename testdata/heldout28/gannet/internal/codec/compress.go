package codec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// MaxValue is the largest value the store accepts.
const MaxValue = 25 << 20

// ErrTooLarge is returned for values that would be rejected by the store.
var ErrTooLarge = errors.New("codec: value exceeds store limit")

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var writerPool = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// Gzip compresses b. The returned slice is owned by the caller.
func Gzip(b []byte) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)

	zw := writerPool.Get().(*gzip.Writer)
	defer writerPool.Put(zw)
	zw.Reset(buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	out := make([]byte, buf.Len())
	copy(out, buf.Bytes())
	return out, nil
}

// Gunzip decompresses b, refusing output larger than MaxValue.
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, MaxValue+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxValue {
		return nil, ErrTooLarge
	}
	return out, nil
}

// CheckSize reports ErrTooLarge for values the store would reject.
func CheckSize(b []byte) error {
	if len(b) > MaxValue {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	return nil
}

// Bitmap is a day of bookable minutes, one bit per minute.
type Bitmap [24 * 60 / 64]uint64

// Set marks minute m of the day as bookable.
func (b *Bitmap) Set(m int) { b[m/64] |= 1 << (m % 64) }

// MarshalBinary encodes the bitmap little-endian.
func (b *Bitmap) MarshalBinary() ([]byte, error) {
	out := make([]byte, 0, len(b)*8)
	for _, w := range b {
		out = binary.LittleEndian.AppendUint64(out, w)
	}
	return out, nil
}

// UnmarshalBinary decodes a bitmap written by MarshalBinary.
func (b *Bitmap) UnmarshalBinary(data []byte) error {
	if len(data) != len(b)*8 {
		return fmt.Errorf("codec: bitmap of %d bytes", len(data))
	}
	for i := range b {
		b[i] = binary.LittleEndian.Uint64(data[i*8:])
	}
	return nil
}
