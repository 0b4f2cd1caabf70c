// Package codec holds small value encodings shared by the domain packages and
// a few generic helpers.
package codec

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Number is the set of numeric kinds the helpers below accept.
type Number interface {
	~int | ~int32 | ~int64 | ~float64
}

// Seconds converts a duration-like value expressed in nanoseconds (such as a
// time.Duration) to whole seconds, truncating.
func Seconds[T ~int | ~int64 | ~float64](v T) int {
	return int(float64(v) / float64(time.Second))
}

// Pair is a key and a value travelling together, e.g. a leaderboard row.
type Pair[K comparable, V any] struct {
	Key   K `json:"k"`
	Value V `json:"v"`
}

// TopN sorts ps by descending value (ties by key) and keeps the first n.
func TopN[K cmp.Ordered, V Number](ps []Pair[K, V], n int) []Pair[K, V] {
	slices.SortFunc(ps, func(a, b Pair[K, V]) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if len(ps) > n {
		ps = ps[:n]
	}
	return ps
}

var ErrCorrupt = errors.New("codec: corrupt value")

// EncodeUint64 renders n as 8 big-endian bytes, base64url without padding.
func EncodeUint64(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DecodeUint64 reverses EncodeUint64.
func DecodeUint64(s string) (uint64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// GobString gob-encodes v and wraps it in standard base64 so it survives a
// text-only store.
func GobString(v any) (string, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// FromGobString reverses GobString into v.
func FromGobString(s string, v any) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return gob.NewDecoder(bytes.NewReader(b)).Decode(v)
}
