package kvstore

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// encode turns a Go value into the bytes stored in KV. Strings and byte
// slices are stored verbatim so that the edge Worker can read them with
// get(key, "text"); everything else is JSON.
func encode(v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return nil, fmt.Errorf("kvstore: refusing to store nil value")
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case json.RawMessage:
		return v, nil
	case int:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case bool:
		return strconv.AppendBool(nil, v), nil
	case time.Time:
		return []byte(v.UTC().Format(time.RFC3339)), nil
	case encoding.TextMarshaler:
		return v.MarshalText()
	default:
		return json.Marshal(v)
	}
}

// decode is the inverse of encode for the destination types the service uses.
func decode(raw []byte, dst any) error {
	switch d := dst.(type) {
	case *[]byte:
		*d = append((*d)[:0], raw...)
		return nil
	case *string:
		*d = string(raw)
		return nil
	case *int64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fmt.Errorf("kvstore: decode int: %w", err)
		}
		*d = n
		return nil
	default:
		return json.Unmarshal(raw, dst)
	}
}

// Encode exposes the adapter's codec to packages that build bulk payloads.
func Encode(v any) ([]byte, error) { return encode(v) }

// GetInto reads key and decodes it into dst. A missing key yields ErrNotFound.
func GetInto(ctx context.Context, kv KV, key string, dst any) error {
	raw, err := kv.Get(ctx, key)
	if err != nil {
		return err
	}
	return decode(raw, dst)
}
