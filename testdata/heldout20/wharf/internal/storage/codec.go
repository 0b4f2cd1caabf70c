package storage

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Versioned wraps a stored value with its version and last update time.
type Versioned[T any] struct {
	Value     T         `json:"value"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Envelope tags a stored JSON document with its kind and schema so that
// readers can refuse documents they do not understand.
type Envelope struct {
	Kind   string          `json:"kind"`
	Schema int             `json:"schema"`
	Data   json.RawMessage `json:"data"`
}

// Seal encodes v in an Envelope of the given kind.
func Seal[T any](kind string, schema int, v T) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Kind: kind, Schema: schema, Data: data})
}

// Unseal decodes an Envelope of the given kind into a T.
func Unseal[T any](kind string, raw []byte) (T, error) {
	var (
		env Envelope
		out T
	)
	if err := json.Unmarshal(raw, &env); err != nil {
		return out, fmt.Errorf("unseal %s: %w", kind, err)
	}
	if env.Kind != kind {
		return out, fmt.Errorf("unseal: got kind %q, want %q", env.Kind, kind)
	}
	if err := json.Unmarshal(env.Data, &out); err != nil {
		return out, fmt.Errorf("unseal %s v%d: %w", kind, env.Schema, err)
	}
	return out, nil
}

// PackInt encodes n as an 8-byte big-endian number, hex-armoured so that it
// survives a text binding.
func PackInt(n int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return []byte(hex.EncodeToString(b[:]))
}

// UnpackInt decodes a value written by PackInt.
func UnpackInt(raw []byte) (int64, error) {
	var b [8]byte
	if hex.DecodedLen(len(raw)) != len(b) {
		return 0, fmt.Errorf("unpack int: %d bytes", len(raw))
	}
	if _, err := hex.Decode(b[:], raw); err != nil {
		return 0, fmt.Errorf("unpack int: %w", err)
	}
	return int64(binary.BigEndian.Uint64(b[:])), nil
}
