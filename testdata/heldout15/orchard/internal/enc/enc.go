// Package enc holds the value encodings used in KV: gob wrapped in base64
// for Go structs, and hex-wrapped binary for compact records.
package enc

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
)

// GobBase64 encodes v with gob and wraps it in base64.
func GobBase64(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return base64.StdEncoding.AppendEncode(nil, buf.Bytes()), nil
}

// FromGobBase64 reverses GobBase64 into the pointer v.
func FromGobBase64(b []byte, v any) error {
	raw, err := base64.StdEncoding.AppendDecode(nil, b)
	if err != nil {
		return err
	}
	return gob.NewDecoder(bytes.NewReader(raw)).Decode(v)
}

// Hex marshals m and hex-encodes the result.
func Hex(m encoding.BinaryMarshaler) ([]byte, error) {
	b, err := m.MarshalBinary()
	return hex.AppendEncode(nil, b), err
}

// FromHex decodes hex and unmarshals into u.
func FromHex(b []byte, u encoding.BinaryUnmarshaler) error {
	raw, err := hex.AppendDecode(nil, b)
	if err != nil {
		return err
	}
	return u.UnmarshalBinary(raw)
}

// Uvarint decodes a hex-wrapped unsigned varint.
func Uvarint(b []byte) (uint64, error) {
	raw, err := hex.AppendDecode(nil, b)
	if err != nil {
		return 0, err
	}
	v, n := binary.Uvarint(raw)
	if n <= 0 {
		return 0, errors.New("enc: bad varint")
	}
	return v, nil
}

// PutUvarint encodes v as a hex-wrapped unsigned varint.
func PutUvarint(v uint64) []byte { return hex.AppendEncode(nil, binary.AppendUvarint(nil, v)) }
