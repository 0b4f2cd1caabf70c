package kvstore

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"strconv"
	"time"
)

// Must panics on err. It is meant for encoders of types the package controls,
// where a failure is a programming error.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// GobBytes encodes v with encoding/gob.
func GobBytes(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GobInto decodes raw into v.
func GobInto(raw []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(raw)).Decode(v)
}

// Uint64 encodes n big-endian in eight bytes.
func Uint64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// Decimal renders n in base 10 without an intermediate string.
func Decimal(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// Stamp renders t as Unix seconds followed by a value, "1712345678|v".
func Stamp(t time.Time, v []byte) []byte {
	out := strconv.AppendInt(nil, t.Unix(), 10)
	out = append(out, '|')
	return append(out, v...)
}

// Token encodes random bytes for use in keys and cookies.
func Token(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }
