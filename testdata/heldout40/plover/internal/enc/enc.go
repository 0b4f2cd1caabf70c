// Package enc holds the small value codecs used for KV values. KV stores
// strings on the Worker side, so binary encodings are wrapped in base64.
package enc

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"strconv"
	"time"
)

// Gob encodes v with encoding/gob and returns it as base64 text.
func Gob(v any) (string, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return "", fmt.Errorf("enc: gob: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// UnGob decodes text produced by Gob into v.
func UnGob(s string, v any) error {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("enc: base64: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(v); err != nil {
		return fmt.Errorf("enc: gob: %w", err)
	}
	return nil
}

// Uint64 encodes n as 8 big-endian bytes in base64.
func Uint64(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// ParseUint64 decodes the output of Uint64.
func ParseUint64(s string) (uint64, error) {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("enc: base64: %w", err)
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("enc: want 8 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// Stamp renders t as decimal Unix seconds.
func Stamp(t time.Time) string {
	return string(strconv.AppendInt(make([]byte, 0, 20), t.Unix(), 10))
}

// ParseStamp reads a value written by Stamp.
func ParseStamp(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("enc: stamp: %w", err)
	}
	return time.Unix(n, 0), nil
}

// Must panics when err is non-nil. It wraps calls that cannot fail for the
// plain structs plover encodes, and is paired with Recover at package
// boundaries.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Recover turns a panic raised by Must into an error stored in *errp.
func Recover(errp *error) {
	r := recover()
	if r == nil {
		return
	}
	if err, ok := r.(error); ok {
		*errp = err
		return
	}
	*errp = fmt.Errorf("panic: %v", r)
}
