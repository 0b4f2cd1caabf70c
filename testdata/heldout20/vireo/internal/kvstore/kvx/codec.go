package kvx

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/vireo/internal/kvstore"
)

// EncodeUint64 renders n as eight big-endian bytes.
func EncodeUint64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n)
}

// DecodeUint64 reads eight big-endian bytes.
func DecodeUint64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("kvx: want 8 bytes, got %d", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// Envelope wraps a JSON body with the schema kind it was written as.
type Envelope struct {
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// Seal encodes v inside an envelope of the given kind.
func Seal(kind string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{Kind: kind, Body: body})
}

// Open decodes an envelope of the expected kind into a T.
func Open[T any](raw []byte, kind string) (T, error) {
	var (
		env Envelope
		out T
	)
	if err := json.Unmarshal(raw, &env); err != nil {
		return out, err
	}
	if env.Kind != kind {
		return out, fmt.Errorf("kvx: envelope kind %q, want %q", env.Kind, kind)
	}
	err := json.Unmarshal(env.Body, &out)
	return out, err
}

// GetJSON loads key and decodes it as JSON.
func GetJSON[T any](ctx context.Context, r kvstore.Reader, key string) (T, error) {
	var out T
	raw, err := r.Get(ctx, key)
	if err != nil {
		return out, err
	}
	err = json.Unmarshal(raw, &out)
	return out, err
}

// PutJSON encodes v and stores it for ttl.
func PutJSON[T any](ctx context.Context, w kvstore.Writer, key string, v T, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.Put(ctx, key, raw, kvstore.WriteOptions{TTL: ttl})
}

// Exists reports whether key currently holds a value.
func Exists(ctx context.Context, r kvstore.Reader, key string) (bool, error) {
	_, err := r.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kvstore.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}
