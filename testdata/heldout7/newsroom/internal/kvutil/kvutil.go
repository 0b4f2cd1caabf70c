// Package kvutil has small helpers for code that talks to a KV binding
// directly instead of through store.Store.
package kvutil

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// GetText reads key as text.
func GetText(ns *kv.Namespace, key string) (string, error) {
	return ns.GetString(key, nil)
}

// PutCached writes a cache entry. KV will not keep anything for less than a
// minute, so shorter requests are rounded up.
func PutCached(ns *kv.Namespace, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)})
}
