//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/confhub/puffin/internal/keys"
)

// Record is a value that knows its key and lifetime.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Keyed is a value that knows its key.
type Keyed interface {
	Key() string
}

// Save stores v as JSON under v.Key(). Lifetimes shorter than MinTTL are
// raised to MinTTL; a zero lifetime means no expiry.
func Save[T Record](b *Bucket, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", v.Key(), err)
	}
	ttl := v.TTL()
	if ttl > 0 && ttl < MinTTL {
		ttl = MinTTL
	}
	return b.Put(keys.ScopeKey(v.Key()), string(raw), ttl)
}

// Load reads the JSON record under key. ok is false when the key is missing.
func Load[T Keyed](b *Bucket, key fmt.Stringer) (v T, ok bool, err error) {
	raw, ok, err := b.Get(key)
	if err != nil || !ok {
		return v, ok, err
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, true, nil
}
