//go:build js && wasm

// Package kvx has the small helpers the edge packages use on raw KV
// namespaces (sessions and flags live in their own namespaces and do not go
// through storage.Store).
package kvx

import (
	"encoding/json"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"
)

// Null is what GetString returns for a key that does not exist.
const Null = "<null>"

// Missing reports whether a GetString result means "no such key".
func Missing(v string) bool { return v == Null }

// GetText reads key as text.
func GetText(ns *kv.Namespace, key string) (string, error) {
	return ns.GetString(key, nil)
}

// GetCached reads key as text and lets the edge cache it for cacheTTL seconds.
func GetCached(ns *kv.Namespace, key string, cacheTTL int) (string, error) {
	return ns.GetString(key, &kv.GetOptions{CacheTTL: cacheTTL})
}

// PutText writes value, expiring after ttlSeconds when positive.
func PutText(ns *kv.Namespace, key, value string, ttlSeconds int) error {
	var opts *kv.PutOptions
	if ttlSeconds > 0 {
		opts = &kv.PutOptions{ExpirationTTL: ttlSeconds}
	}
	return ns.PutString(key, value, opts)
}

// GetJSON decodes the JSON value at key into a T. ok is false when the key
// does not exist.
func GetJSON[T any](ns *kv.Namespace, key string) (v T, ok bool, err error) {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return v, false, err
	}
	if Missing(raw) {
		return v, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, fmt.Errorf("kvx: decode %s: %w", key, err)
	}
	return v, true, nil
}
