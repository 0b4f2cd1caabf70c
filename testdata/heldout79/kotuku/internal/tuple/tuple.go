// Package tuple is a small, order-preserving tuple layer in the style of the
// FoundationDB tuple encoding, adapted to the printable key alphabet that
// Workers KV accepts over the REST API.
//
// Every element is written as a one-byte type code followed by its payload.
// Byte strings end with '!' (the lowest byte that can appear in a key after
// escaping), so a shorter string sorts before any string it prefixes.
// Integers are eight big-endian bytes with the sign bit flipped, rendered as
// lowercase hex, which keeps their numeric order under byte comparison.
package tuple

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Type codes. Their relative order decides how mixed tuples sort.
const (
	codeBytes  = 'b'
	codeDesc   = 'd'
	codeInt    = 'i'
	codeString = 's'
	codeTrue   = 't'
	codeFalse  = 'f'

	terminator = '!'
	escape     = '%'
)

// Desc wraps an integer so that it sorts in descending order. It is used for
// "newest first" index entries.
type Desc int64

// Tuple is an ordered list of elements.
type Tuple []any

// ErrMalformed is returned by Unpack for keys this package did not write.
var ErrMalformed = errors.New("tuple: malformed key")

// Append encodes elems onto dst and returns the extended slice.
func Append(dst []byte, elems ...any) []byte {
	for _, e := range elems {
		switch v := e.(type) {
		case string:
			dst = append(dst, codeString)
			dst = appendEscaped(dst, []byte(v))
			dst = append(dst, terminator)
		case []byte:
			dst = append(dst, codeBytes)
			dst = appendEscaped(dst, v)
			dst = append(dst, terminator)
		case int:
			dst = appendInt(dst, codeInt, uint64(int64(v))^(1<<63))
		case int64:
			dst = appendInt(dst, codeInt, uint64(v)^(1<<63))
		case uint64:
			dst = appendInt(dst, codeInt, v)
		case uint32:
			dst = appendInt(dst, codeInt, uint64(v))
		case Desc:
			dst = appendInt(dst, codeDesc, ^(uint64(v) ^ (1 << 63)))
		case bool:
			if v {
				dst = append(dst, codeTrue)
			} else {
				dst = append(dst, codeFalse)
			}
		default:
			panic(fmt.Sprintf("tuple: unsupported element type %T", e))
		}
	}
	return dst
}

func appendInt(dst []byte, code byte, u uint64) []byte {
	var raw [8]byte
	b := binary.BigEndian.AppendUint64(raw[:0], u)
	dst = append(dst, code)
	return hex.AppendEncode(dst, b)
}

// appendEscaped writes b so that every byte of the result is printable and
// strictly greater than the terminator.
func appendEscaped(dst, b []byte) []byte {
	const hexdigits = "0123456789ABCDEF"
	for _, c := range b {
		if c <= '"' || c > '~' || c == escape {
			dst = append(dst, escape, hexdigits[c>>4], hexdigits[c&0x0f])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// Pack encodes a tuple on its own.
func (t Tuple) Pack() []byte { return Append(nil, t...) }

// Unpack decodes a key written by Append.
func Unpack(key []byte) (Tuple, error) {
	var out Tuple
	for len(key) > 0 {
		code := key[0]
		key = key[1:]
		switch code {
		case codeString, codeBytes:
			s, rest, err := readEscaped(key)
			if err != nil {
				return nil, err
			}
			key = rest
			if code == codeString {
				out = append(out, string(s))
			} else {
				out = append(out, s)
			}
		case codeInt, codeDesc:
			if len(key) < 16 {
				return nil, ErrMalformed
			}
			var raw [8]byte
			if _, err := hex.Decode(raw[:], key[:16]); err != nil {
				return nil, ErrMalformed
			}
			u := binary.BigEndian.Uint64(raw[:])
			key = key[16:]
			if code == codeDesc {
				out = append(out, Desc(int64(^u^(1<<63))))
			} else {
				out = append(out, int64(u^(1<<63)))
			}
		case codeTrue:
			out = append(out, true)
		case codeFalse:
			out = append(out, false)
		default:
			return nil, fmt.Errorf("%w: type code %q", ErrMalformed, code)
		}
	}
	return out, nil
}

func readEscaped(b []byte) (val, rest []byte, err error) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case terminator:
			return val, b[i+1:], nil
		case escape:
			if i+2 >= len(b) {
				return nil, nil, ErrMalformed
			}
			var c [1]byte
			if _, err := hex.Decode(c[:], b[i+1:i+3]); err != nil {
				return nil, nil, ErrMalformed
			}
			val = append(val, c[0])
			i += 2
		default:
			val = append(val, b[i])
		}
	}
	return nil, nil, ErrMalformed
}

// Subspace is a key prefix under which a family of tuples is stored.
type Subspace struct {
	raw []byte
}

// Root returns the top-level subspace for an application component.
func Root(name string) Subspace {
	return Subspace{raw: Append(nil, name)}
}

// Sub returns a nested subspace.
func (s Subspace) Sub(elems ...any) Subspace {
	return Subspace{raw: Append(s.Bytes(), elems...)}
}

// Bytes returns a copy of the subspace's prefix.
func (s Subspace) Bytes() []byte {
	return append([]byte(nil), s.raw...)
}

// Prefix returns the prefix as a string, ready to be used as a list prefix.
func (s Subspace) Prefix() string { return string(s.raw) }

// Pack returns the key for elems inside the subspace.
func (s Subspace) Pack(elems ...any) []byte {
	return Append(s.Bytes(), elems...)
}

// PackPartial packs elems and then the beginning of a string element without
// its terminator, so that listing by the result finds every string that
// starts with partial.
func (s Subspace) PackPartial(partial string, elems ...any) []byte {
	k := Append(s.Bytes(), elems...)
	k = append(k, codeString)
	return appendEscaped(k, []byte(partial))
}

// Contains reports whether key lies inside the subspace.
func (s Subspace) Contains(key []byte) bool {
	return len(key) >= len(s.raw) && string(key[:len(s.raw)]) == string(s.raw)
}

// Unpack decodes the part of key that follows the subspace's prefix.
func (s Subspace) Unpack(key []byte) (Tuple, error) {
	if !s.Contains(key) {
		return nil, fmt.Errorf("%w: key outside subspace", ErrMalformed)
	}
	return Unpack(key[len(s.raw):])
}
