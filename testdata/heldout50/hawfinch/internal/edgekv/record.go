//go:build js && wasm

package edgekv

import (
	"encoding/json"
	"time"
)

// Record is a value that knows where it is stored and for how long.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Save stores v as JSON under v.Key() inside s.
func Save[T Record](s Scope, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(v.Key(), string(b), v.TTL())
}

// Load decodes the JSON stored under name into dst and reports whether the
// key existed.
func Load[T any](s Scope, name string, dst *T) (bool, error) {
	raw, ok, err := s.Lookup(name, 0)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), dst)
}
