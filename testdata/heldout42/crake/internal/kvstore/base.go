//go:build js && wasm

package kvstore

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Base is embedded by the small record stores of the edge service: it
// carries the key prefix, how long records live and the namespace handle.
type Base struct {
	Prefix   string
	Lifetime time.Duration
	NS       *kv.Namespace
}

// Key returns the full key for id.
func (b Base) Key(id string) string { return b.Prefix + id }

func (b Base) putOptions() *kv.PutOptions {
	if b.Lifetime <= 0 {
		return nil
	}
	return &kv.PutOptions{ExpirationTTL: int(b.Lifetime / time.Second)}
}

// GetJSON decodes the record under key into dst.
func (b Base) GetJSON(key string, dst any) (bool, error) {
	raw, err := b.NS.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if raw == absent {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), dst)
}

// PutJSON stores v under key for the store's Lifetime.
func (b Base) PutJSON(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.NS.PutString(key, string(raw), b.putOptions())
}

// Remove deletes key.
func (b Base) Remove(key string) error { return b.NS.Delete(key) }
