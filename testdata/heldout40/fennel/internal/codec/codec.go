// Package codec holds the small encode/decode helpers used for KV values.
// KV stores strings on the Worker side, so binary encodings are wrapped in
// base64 before they are written.
package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"strconv"
	"time"
)

var b64 = base64.RawURLEncoding

// Gob encodes v with encoding/gob and returns it as base64 text.
func Gob(v any) (string, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return "", fmt.Errorf("gob encode %T: %w", v, err)
	}
	return b64.EncodeToString(buf.Bytes()), nil
}

// Ungob reverses Gob.
func Ungob(s string, v any) error {
	raw, err := b64.DecodeString(s)
	if err != nil {
		return fmt.Errorf("gob base64: %w", err)
	}
	return gob.NewDecoder(bytes.NewReader(raw)).Decode(v)
}

// U64 encodes n as 8 big-endian bytes in base64.
func U64(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b64.EncodeToString(b[:])
}

// ParseU64 reverses U64.
func ParseU64(s string) (uint64, error) {
	raw, err := b64.DecodeString(s)
	if err != nil {
		return 0, err
	}
	if len(raw) != 8 {
		return 0, errors.New("codec: want 8 bytes")
	}
	return binary.BigEndian.Uint64(raw), nil
}

// Stamp renders t as decimal unix seconds, appended to b.
func Stamp(b []byte, t time.Time) []byte {
	return strconv.AppendInt(b, t.Unix(), 10)
}

// ParseStamp reverses Stamp.
func ParseStamp(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n, 0).UTC(), nil
}

// Int renders n in decimal.
func Int(n int64) string { return string(strconv.AppendInt(nil, n, 10)) }

// Must panics on a non-nil error. Use only where the error is a programming
// mistake (encoding a value of a known, gob-safe type); Recover turns the
// panic back into an error at the API boundary.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(mustError{err})
	}
	return v
}

type mustError struct{ err error }

// Recover converts a panic raised by Must into *errp. Other panics propagate.
func Recover(errp *error) {
	r := recover()
	if r == nil {
		return
	}
	if me, ok := r.(mustError); ok {
		*errp = me.err
		return
	}
	panic(r)
}
