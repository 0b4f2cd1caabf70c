// Package codec holds the value encodings paddock writes to storage.
package codec

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrShortValue is returned when a fixed-width value has the wrong length.
var ErrShortValue = errors.New("codec: value has wrong length")

// Uint64 encodes n as 8 big-endian bytes.
func Uint64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// DecodeUint64 decodes an 8-byte big-endian number.
func DecodeUint64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: got %d bytes", ErrShortValue, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// Kind names the schema of an enveloped value.
type Kind string

// Known kinds.
const (
	KindLobby   Kind = "lobby.v2"
	KindSession Kind = "session.v1"
	KindDevice  Kind = "device-grant.v1"
	KindComment Kind = "replay-comment.v1"
)

// Envelope wraps a JSON value with the kind that produced it so that readers
// can refuse values written by an incompatible release.
type Envelope struct {
	Kind Kind            `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// Seal encodes v inside an envelope of the given kind.
func Seal[T any](kind Kind, v T) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("codec: marshal %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Kind: kind, Data: data})
}

// Open decodes an envelope and checks its kind.
func Open[T any](kind Kind, b []byte) (T, error) {
	var zero T
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return zero, fmt.Errorf("codec: envelope: %w", err)
	}
	if env.Kind != kind {
		return zero, fmt.Errorf("codec: kind %q, want %q", env.Kind, kind)
	}
	var v T
	if err := json.Unmarshal(env.Data, &v); err != nil {
		return zero, fmt.Errorf("codec: %s payload: %w", kind, err)
	}
	return v, nil
}
