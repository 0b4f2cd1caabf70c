// Package codec holds the value encodings used for KV entries that are not
// plain JSON: gob snapshots, fixed-width integers and opaque tokens.
package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math/big"
)

// ErrShort is returned when a fixed-width value has the wrong length.
var ErrShort = errors.New("codec: value has wrong length")

// Gob encodes v with encoding/gob and wraps it in base64 so that it survives
// a text put.
func Gob[T any](v T) (string, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return "", fmt.Errorf("codec: gob encode: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Uint64 encodes n as 8 big-endian bytes in URL-safe base64.
func Uint64(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ParseUint64 reverses Uint64.
func ParseUint64(s string) (uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("codec: base64: %w", err)
	}
	if len(raw) != 8 {
		return 0, ErrShort
	}
	return binary.BigEndian.Uint64(raw), nil
}

// Token returns n random bytes as unpadded URL-safe base64.
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("codec: entropy: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Digits returns six random decimal digits.
func Digits() string {
	v, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(fmt.Sprintf("codec: entropy: %v", err))
	}
	return fmt.Sprintf("%06d", v)
}

// ID returns a fresh 16-byte identifier.
func ID() string { return Token(16) }
